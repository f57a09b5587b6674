import { installedPackages, loadInstalledPackage, TirlError, type ResolvedRecipe, type Tokenizer } from '@tirl/core';
import type { CausalLM } from '@tirl/policy';
import type { RolloutSource } from './rollout-source';

/** Where rollout workers take jobs from (see docs/scale-out.md). */
export interface QueueOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** Namespaces the run's keys; workers pass the same `--run` (default `default`). */
  runId?: string;
  /** Publish weights to this directory (every machine mounts it) instead of Redis. */
  weightDir?: string;
  /** `full` (default) or `trainable` (only trainable weights after version 0, for adapters). */
  publish?: 'full' | 'trainable';
  /** Seconds between "still waiting for rollouts" lines (default 30). */
  waitReportSeconds?: number;
  /** Appends one JSON line per rollout job result trained (job id, step, worker, policy version). */
  journal?: string;
  /** Attempts per rollout job before the run fails; stalled jobs (a dead worker) are retried separately. */
  attempts?: number;
  log?: (line: string) => void;
}

/** What the trainer uses of `@tirl/scale-out`. */
export interface ScaleOutModule {
  QueueLearner: { connect(o: object): Promise<RolloutSource> };
  queueStatus(url: string, runId?: string): Promise<unknown>;
  formatStatus(status: unknown): string;
  RolloutWorker: { start(o: object): Promise<{ close(): Promise<void> }> };
  connectSwarm(o: object): Promise<RolloutSource>;
}

/** `@tirl/scale-out`, found by its manifest like every optional package (installed only where a queue is used). */
export function loadScaleOut(): ScaleOutModule {
  const pkg = installedPackages().list().find((p) => p.name === '@tirl/scale-out');
  if (!pkg) throw new TirlError('A rollout queue needs @tirl/scale-out, which is not installed. Run: npm install @tirl/scale-out', 'missing-package');
  return loadInstalledPackage(pkg) as ScaleOutModule;
}

/** Connects the learner's side of the queue. */
export async function connectQueue(
  queue: QueueOptions,
  run: { recipe: ResolvedRecipe; model: CausalLM; tokenizer: Tokenizer; maxContext?: number },
): Promise<RolloutSource> {
  return loadScaleOut().QueueLearner.connect({ ...queue, recipe: run.recipe, model: run.model, tokenizer: run.tokenizer, maxContext: run.maxContext });
}
