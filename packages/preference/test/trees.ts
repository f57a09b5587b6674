import type { RolloutTree, SegmentSource, Trajectory } from '@tirl/core';

function traj(id: string, parts: [SegmentSource, number[]][], reward: number, treePath: string[]): Trajectory {
  return {
    id,
    sampleId: 'q',
    groupId: 'q',
    rootId: id,
    role: 'agent',
    segments: parts.map(([source, tokenIds]) => ({ source, role: 'agent', tokenIds, ...(source === 'policy' ? { logProbs: tokenIds.map(() => -1) } : {}) })),
    toolCalls: [],
    reward,
    treePath,
  };
}

/**
 * The TP-LLaMA example tree: root → {A ✗, B}; B → {C ✗, D ✗, E}; E → F ✓. Tokens: prompt [1, 2];
 * steps A [30, 31], B [40, 41], C [50], D [60, 61], E [70], F [80]; observations [90], [91].
 * Node `nB` starts after B's observation (offset 2 + 2 + 1 = 5).
 */
export function exampleTree(): RolloutTree {
  const prompt: [SegmentSource, number[]] = ['prompt', [1, 2]];
  const B: [SegmentSource, number[]][] = [['policy', [40, 41]], ['tool', [90]]];
  return {
    id: 'tree',
    sampleId: 'q',
    nodes: [
      { id: 'root', tokenOffset: 2, turn: 0, reason: 'root' },
      { id: 'nB', parentId: 'root', tokenOffset: 5, turn: 1, reason: 'turn' },
    ],
    trajectories: [
      traj('LA', [prompt, ['policy', [30, 31]]], 0, ['root']),
      traj('LC', [prompt, ...B, ['policy', [50]]], 0, ['root', 'nB']),
      traj('LD', [prompt, ...B, ['policy', [60, 61]]], 0, ['root', 'nB']),
      traj('LF', [prompt, ...B, ['policy', [70]], ['tool', [91]], ['policy', [80]]], 1, ['root', 'nB']),
    ],
  };
}
