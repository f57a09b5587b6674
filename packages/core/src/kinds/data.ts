import type { Trajectory } from '../data/trajectory';
import type { Sample } from './tool';

export interface RewardInput {
  /** The trajectories to score (roots and sub-agent rollouts), in rollout order. */
  trajectories: readonly Trajectory[];
  /** The samples they answer, by id. */
  samples: ReadonlyMap<string, Sample>;
  step: number;
}

export interface RewardOutput {
  /** One score per trajectory (NaN for a failure; the combinator records it). */
  scores: number[];
  /** Named sub-scores per trajectory, logged under `reward/<name>/<component>`. */
  components?: Record<string, number[]>;
}

/** kind `reward`: scores whole trajectories (batch-level, so group- and step-aware rewards fit). */
export interface RewardFunction {
  score(input: RewardInput): Promise<RewardOutput> | RewardOutput;
  /** Called once per step after scoring, with the scores of all trajectories (cross-step state). */
  observe?(input: RewardInput, scores: readonly number[]): void;
  state?(): unknown;
  loadState?(state: unknown): void;
  dispose?(): Promise<void> | void;
}

/** kind `sampler`: chooses the prompts of each step. */
export interface PromptSampler {
  /** Sets the dataset; called once before the first `next`. */
  setDataset(samples: readonly Sample[]): void;
  /** The next `n` samples, with how many rollouts to give each (default: the recipe's group size). */
  next(n: number, step: number): { sample: Sample; rollouts?: number }[];
  /**
   * Feedback after scoring, e.g. per-sample accuracy for curricula and allocators; `trajectories` are the
   * group's scored root rollouts (for samplers that reuse the policy's own verified answers as exemplars).
   */
  observe?(results: { sampleId: string; rewards: number[]; trajectories?: readonly Trajectory[] }[]): void;
  state?(): unknown;
  loadState?(state: unknown): void;
}

/** A group: the trajectories rolled out for one sample (roots only; children follow their root). */
export interface TrajectoryGroup {
  sampleId: string;
  trajectories: Trajectory[];
}

export interface FilterInput {
  groups: TrajectoryGroup[];
  step: number;
  /** Groups the trainer wants in the batch. */
  targetGroups: number;
}

export interface FilterOutput {
  groups: TrajectoryGroup[];
  /** True when the filter wants more groups sampled to fill the batch (DAPO dynamic sampling). */
  needMore?: boolean;
  metrics?: Record<string, number>;
}

/** kind `filter`: keeps, drops or masks groups and trajectories before advantages. */
export interface GroupFilter {
  filter(input: FilterInput): FilterOutput;
  state?(): unknown;
  loadState?(state: unknown): void;
}

/** kind `metricSink`: receives every step's metrics. */
export interface MetricSink {
  write(step: number, metrics: Record<string, number>): void | Promise<void>;
  close?(): void | Promise<void>;
}
