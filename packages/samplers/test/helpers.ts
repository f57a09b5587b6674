import type { AnyPluginDefinition, FinishReason, Sample, Trajectory, TrajectoryGroup } from '@tirl/core';
import { parseOptions } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';

export function create<T>(def: AnyPluginDefinition, options: Record<string, unknown> = {}, seed = 0): T {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id, {}, seed)) as T;
}

export function sample(id: string, extra: Partial<Sample> = {}): Sample {
  return { id, messages: [{ role: 'user', content: `question ${id}` }], ...extra };
}

export function traj(id: string, groupId: string, reward: number, extra: Partial<Trajectory> = {}, text = 'x'): Trajectory {
  return {
    id,
    sampleId: groupId,
    groupId,
    rootId: id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: [1, 2] },
      { source: 'policy', role: 'agent', tokenIds: [3], logProbs: [-1], text },
    ],
    toolCalls: [],
    reward,
    ...extra,
  };
}

export function group(id: string, rewards: number[]): TrajectoryGroup {
  return { sampleId: id, trajectories: rewards.map((r, i) => traj(`${id}-${i}`, id, r)) };
}

export function finished(reasons: (FinishReason | undefined)[]): TrajectoryGroup {
  return { sampleId: 'g', trajectories: reasons.map((f, i) => traj(`t${i}`, 'g', 0, { finishReason: f })) };
}
