import type { Segment, SegmentSource, Trajectory } from '../data/trajectory';

/** A compact trajectory description for tests: `[source, tokenCount]` pairs. */
export interface TrajectorySpec {
  id: string;
  groupId?: string;
  rootId?: string;
  parentId?: string;
  role?: string;
  reward?: number;
  segments: [SegmentSource, number][];
  /** Behaviour log-prob given to every policy token. */
  logProb?: number;
}

/** Builds a trajectory with token ids 1, 2, 3, ... and constant behaviour log-probs. */
export function makeTrajectory(spec: TrajectorySpec): Trajectory {
  let next = 1;
  const segments: Segment[] = spec.segments.map(([source, n]) => {
    const tokenIds = Array.from({ length: n }, () => next++);
    return {
      source,
      role: spec.role ?? 'agent',
      tokenIds,
      ...(source === 'policy' ? { logProbs: tokenIds.map(() => spec.logProb ?? -1) } : {}),
    };
  });
  return {
    id: spec.id,
    sampleId: spec.groupId ?? 'sample',
    groupId: spec.groupId ?? 'group',
    rootId: spec.rootId ?? spec.parentId ?? spec.id,
    parentId: spec.parentId,
    role: spec.role ?? 'agent',
    segments,
    toolCalls: [],
    reward: spec.reward,
  };
}
