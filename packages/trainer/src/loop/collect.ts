import type { Experiment, GroupFilter, Rng, RolloutOutput, RolloutTree, Sample, Trajectory, TrajectoryGroup } from '@tirl/core';
import { policyTokenCount } from '@tirl/core';
import { runRound, splitRound, type RolloutSource } from '../rollouts/rollout-source';
import type { TrainerSettings } from '../settings';
import { mean, scoreTrajectories } from './rewards';

export interface Collected {
  /** Kept trajectories: roots of the kept groups followed by their descendants. */
  trajectories: Trajectory[];
  trees: RolloutTree[];
  metrics: Record<string, number>;
}

/** A sampling round whose rollouts were started (possibly ahead of its step, when staleness allows). */
export interface StartedRound {
  picks: { sample: Sample; rollouts?: number }[];
  out: Promise<RolloutOutput>;
}

/** Where and how a step's rollouts run. */
export interface CollectContext {
  source: RolloutSource;
  /** The learner's policy version now (updates done). */
  version: number;
  /** Round 0 of this step, when it was started ahead. */
  first?: StartedRound;
}

/** Picks `count` prompts for `step` and starts their rollouts on the source. */
export function startRound(
  exp: Experiment,
  settings: TrainerSettings,
  o: { step: number; round: number; count: number; rng: Rng; source: RolloutSource; version: number },
): StartedRound {
  const picks = exp.get('sampler').next(o.count, o.step);
  const samples = picks.map((p) => ({ sample: p.sample, rollouts: p.rollouts ?? settings.groupSize }));
  const jobs = splitRound(
    { step: o.step, round: o.round, samples, settings, rng: o.rng.fork(`rollout-${o.round}`), minVersion: o.version },
    settings.scaleOut.groupsPerJob,
  );
  return { picks, out: runRound(o.source, jobs) };
}

/** Samples prompts, rolls them out, scores, and filters groups until the batch is full or retries run out. */
export async function collect(
  exp: Experiment,
  ctx: CollectContext,
  settings: TrainerSettings,
  step: number,
  rng: Rng,
): Promise<Collected> {
  const sampler = exp.get('sampler');
  const filters = exp.getAll('filter');
  const target = settings.promptsPerStep;
  let kept: TrajectoryGroup[] = [];
  const trees: RolloutTree[] = [];
  const metrics: Record<string, number> = {};
  const all: Trajectory[] = [];
  // Groups a source adds on its own (peers' shared rollouts) are trained beyond the sampled target.
  let added = 0;
  let round = 0;
  for (; round <= settings.maxFilterRetries; round++) {
    const started =
      round === 0 && ctx.first
        ? ctx.first
        : startRound(exp, settings, { step, round, count: round === 0 ? target : target - kept.length, rng, source: ctx.source, version: ctx.version });
    const picks = started.picks;
    const out = await started.out;
    trees.push(...out.trees);
    const trajectories = out.trees.flatMap((t) => t.trajectories);
    all.push(...trajectories);
    const samples = new Map<string, Sample>([...picks.map((p) => p.sample), ...(out.samples ?? [])].map((s) => [s.id, s]));
    added += out.samples?.length ?? 0;
    const scored = await scoreTrajectories(
      exp.plugins.filter((p) => p.kind === 'reward'),
      { trajectories, samples, step },
    );
    if (round === 0) Object.assign(metrics, scored.metrics, prefixed('rollout', out.metrics ?? {}));
    const groups = groupRoots(trajectories);
    sampler.observe?.(groups.map((g) => ({ sampleId: g.sampleId, rewards: g.trajectories.map((t) => t.reward ?? 0), trajectories: g.trajectories })));
    const filtered = applyFilters(filters, groups, step, target + added - kept.length, metrics);
    // Stateful filters (dynamic sampling) return the whole batch so far; others only this round's groups.
    kept = [...new Set([...kept, ...filtered.groups])];
    if (!filtered.needMore || kept.length >= target + added) break;
  }
  metrics['filter/rounds'] = round + 1;
  metrics['filter/kept_groups'] = kept.length;
  kept = kept.slice(0, Math.max(target + added, 1));
  const keptRoots = new Set(kept.flatMap((g) => g.trajectories.map((t) => t.id)));
  const roots = kept.flatMap((g) => g.trajectories);
  const children = all.filter((t) => t.parentId !== undefined && keptRoots.has(t.rootId));
  Object.assign(metrics, trajectoryMetrics(all));
  return { trajectories: [...roots, ...children], trees, metrics };
}

function groupRoots(trajectories: readonly Trajectory[]): TrajectoryGroup[] {
  const bySample = new Map<string, Trajectory[]>();
  for (const t of trajectories) {
    if (t.parentId !== undefined) continue;
    bySample.set(t.sampleId, [...(bySample.get(t.sampleId) ?? []), t]);
  }
  return [...bySample].map(([sampleId, ts]) => ({ sampleId, trajectories: ts }));
}

function applyFilters(
  filters: readonly GroupFilter[],
  groups: TrajectoryGroup[],
  step: number,
  targetGroups: number,
  metrics: Record<string, number>,
): { groups: TrajectoryGroup[]; needMore: boolean } {
  let needMore = false;
  for (const f of filters) {
    const out = f.filter({ groups, step, targetGroups });
    groups = out.groups;
    needMore ||= out.needMore ?? false;
    Object.assign(metrics, out.metrics ?? {});
  }
  return { groups, needMore };
}

function trajectoryMetrics(all: readonly Trajectory[]): Record<string, number> {
  const roots = all.filter((t) => t.parentId === undefined);
  const calls = all.flatMap((t) => t.toolCalls);
  return {
    'rollout/trajectories': all.length,
    'rollout/children_per_root': roots.length ? (all.length - roots.length) / roots.length : 0,
    'reward/mean': mean(roots.map((t) => t.reward ?? 0)),
    'rollout/tool_calls_per_trajectory': all.length ? calls.length / all.length : 0,
    'rollout/invalid_tool_calls_per_trajectory': all.length ? calls.filter((c) => !c.ok).length / all.length : 0,
    'rollout/turns': mean(all.map((t) => 1 + Math.max(-1, ...t.segments.map((s) => s.turn ?? 0)))),
    'rollout/policy_tokens': mean(all.map(policyTokenCount)),
    'time/tool_calls_summed_s': calls.reduce((t, c) => t + (c.latencyMs ?? 0), 0) / 1000,
    'rollout/truncated_fraction': all.length ? all.filter((t) => t.finishReason !== 'stop').length / all.length : 0,
  };
}

function prefixed(prefix: string, m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k.includes('/') ? k : `${prefix}/${k}`, v]));
}
