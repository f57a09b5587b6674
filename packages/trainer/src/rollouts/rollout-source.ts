import type { Experiment, PolicyGenerator, RolloutOutput, Rng, Sample } from '@tirl/core';
import type { TrainerSettings } from '../settings';
import { rolloutStack } from '../loop/rollout-stack';

/** One unit of rollout work: some groups of one sampling round of one step. */
export interface RolloutJob {
  /** Unique within a run and stable across a resume: `s{step}-r{round}-j{index}-{hash of the sample ids}`. */
  id: string;
  step: number;
  round: number;
  samples: { sample: Sample; rollouts: number }[];
  decode: TrainerSettings['decode'];
  limits: TrainerSettings['limits'];
  rng: Rng;
  /** The learner's policy version when the job was published: the oldest version allowed to generate it. */
  minVersion: number;
}

/**
 * Where rollouts run. The trainer hands it jobs and tells it when a new policy version exists; the
 * embedded source runs jobs in this process on the live model, a queue source sends them to workers.
 * Trajectories from a source that knows versions carry `meta.policyVersion`.
 */
export interface RolloutSource {
  run(job: RolloutJob): Promise<RolloutOutput>;
  /** The learner finished `version` updates; the model's weights are that version now. Returns metrics. */
  publish(version: number): Promise<Record<string, number>>;
  /** Metrics gathered since the last call (queue depth, duplicates, per-worker throughput ...). */
  takeMetrics?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Rollouts in this process on the training model itself: the default, no server needed. */
export function embeddedRolloutSource(exp: Experiment, policy: PolicyGenerator): RolloutSource {
  return {
    run: (job) =>
      exp.get('rollout').rollout({
        samples: job.samples,
        policy,
        ...rolloutStack(exp),
        decode: job.decode,
        limits: job.limits,
        rng: job.rng,
        step: job.step,
      }),
    publish: async () => ({}),
    close: async () => undefined,
  };
}

/**
 * Cuts one sampling round into jobs of `groupsPerJob` groups (`null`: one job with the round's own rng,
 * exactly the single in-process call). Job j draws from `rng.fork('job-j')`, so the same jobs give the same
 * trajectories wherever they run.
 */
export function splitRound(
  o: { step: number; round: number; samples: RolloutJob['samples']; settings: TrainerSettings; rng: Rng; minVersion: number },
  groupsPerJob: number | null,
): RolloutJob[] {
  const base = { step: o.step, round: o.round, decode: o.settings.decode, limits: o.settings.limits, minVersion: o.minVersion };
  const id = (index: number, samples: RolloutJob['samples']) =>
    `s${o.step}-r${o.round}-j${index}-${hashText(samples.map((s) => `${s.sample.id}*${s.rollouts}`).join('|'))}`;
  if (groupsPerJob === null) return [{ ...base, id: id(0, o.samples), samples: o.samples, rng: o.rng }];
  const jobs: RolloutJob[] = [];
  for (let i = 0; i * groupsPerJob < o.samples.length; i++) {
    const samples = o.samples.slice(i * groupsPerJob, (i + 1) * groupsPerJob);
    jobs.push({ ...base, id: id(i, samples), samples, rng: o.rng.fork(`job-${i}`) });
  }
  return jobs;
}

/** Runs the jobs of one round concurrently and joins them in job order; rollout metrics are averaged over jobs. */
export async function runRound(source: RolloutSource, jobs: readonly RolloutJob[]): Promise<RolloutOutput> {
  const outs = await Promise.all(jobs.map((j) => source.run(j)));
  if (outs.length === 1) return outs[0];
  const metrics: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const out of outs) {
    for (const [k, v] of Object.entries(out.metrics ?? {})) {
      metrics[k] = (metrics[k] ?? 0) + v;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  for (const k of Object.keys(metrics)) metrics[k] /= counts[k];
  return { trees: outs.flatMap((o) => o.trees), metrics };
}

/** FNV-1a, 8 hex digits: enough to tell two sample lists of one step apart. */
function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
