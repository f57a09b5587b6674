import { buildBatch, leavesByNode, trajectoryTokens, type RolloutTree } from '@tirl/core';
import { arpoRollout, linearRollout, treeSearchRollout } from '../src';
import { call, engineDefaults, makeInput, sample } from './helpers';

/** Two search turns, then an answer; every row the same script, so branches differ only by position. */
const script = ({ rowTurn, callIndex }: { rowTurn: number; callIndex: number }) =>
  rowTurn < 2 ? `step ${rowTurn} (${callIndex}) ${call('search', { query: String(rowTurn) })}` : `answer ${callIndex}`;

function checkSharedPrefixes(tree: RolloutTree) {
  const leaves = tree.trajectories.filter((t) => t.treePath);
  leaves.forEach((t, i) => {
    const k = t.sharedPrefixLength ?? 0;
    if (i === 0) expect(k).toBe(0);
    // The shared prefix is token-identical to an earlier leaf.
    const ids = trajectoryTokens(t).slice(0, k);
    if (k > 0) expect(leaves.slice(0, i).some((e) => trajectoryTokens(e).slice(0, k).join() === ids.join())).toBe(true);
  });
  const batch = buildBatch(tree.trajectories);
  const T = batch.ids.shape[1];
  leaves.forEach((t, b) => {
    const row = Array.from(batch.lossMaskValues.subarray(b * T, b * T + (t.sharedPrefixLength ?? 0)));
    expect(row.every((v) => v === 0)).toBe(true);
  });
  batch.dispose();
}

describe('rollout/linear', () => {
  it('gives a root with n leaves grouped by sample id', async () => {
    const { input } = makeInput(script);
    const out = await linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never).rollout({
      ...input,
      samples: [{ sample: sample('a'), rollouts: 3 }, { sample: sample('b'), rollouts: 2 }],
    });
    expect(out.trees.map((t) => [t.sampleId, t.trajectories.length, t.nodes.length])).toEqual([['a', 3, 1], ['b', 2, 1]]);
    for (const tree of out.trees) {
      expect(new Set(tree.trajectories.map((t) => t.groupId))).toEqual(new Set([tree.sampleId]));
      expect(leavesByNode(tree).get(tree.nodes[0].id)).toHaveLength(tree.trajectories.length);
      checkSharedPrefixes(tree);
    }
    // All rows of a turn were decoded in one batched generate call.
    expect(out.metrics?.['rollout/generate_calls']).toBe(3);
  });
});

describe('rollout/arpo', () => {
  it('branches after tool results until M rollouts exist, sharing the observation', async () => {
    const { input } = makeInput(script);
    const plugin = arpoRollout.create(
      { ...engineDefaults, initialRollouts: 2, beamSize: 2, branchProbability: 1, entropyWeight: 0.2, freshRollouts: true, countSharedOnce: true },
      {} as never,
    );
    const [tree] = (await plugin.rollout({ ...input, samples: [{ sample: sample(), rollouts: 4 }] })).trees;
    expect(tree.trajectories).toHaveLength(4);
    const entropyNodes = tree.nodes.filter((n) => n.reason === 'entropy');
    expect(entropyNodes).toHaveLength(2);
    for (const node of entropyNodes) {
      const through = leavesByNode(tree).get(node.id)!;
      expect(through).toHaveLength(2);
      // Siblings share everything up to the node, including the tool observation before it.
      const [a, b] = through.map(trajectoryTokens);
      expect(a.slice(0, node.tokenOffset)).toEqual(b.slice(0, node.tokenOffset));
      expect(through[0].segments.filter((s) => s.source === 'tool').length).toBeGreaterThan(0);
    }
    checkSharedPrefixes(tree);
  });

  it('never branches when τ = 0 and ΔH ≤ 0 (u − β·ΔH ≥ u > 0)', async () => {
    const { input } = makeInput(script);
    const plugin = arpoRollout.create(
      { ...engineDefaults, initialRollouts: 2, beamSize: 2, branchProbability: 0, entropyWeight: 0.2, freshRollouts: false, countSharedOnce: true },
      {} as never,
    );
    const [tree] = (await plugin.rollout({ ...input, samples: [{ sample: sample(), rollouts: 4 }] })).trees;
    expect(tree.trajectories).toHaveLength(2);
  });
});

describe('rollout/tree-search', () => {
  it('tree-grpo: M = 2 trees with 1 + L·N = 3 chains each, all kept (K = 3)', async () => {
    const { input } = makeInput(script);
    const plugin = treeSearchRollout.create(
      { ...engineDefaults, mode: 'tree-grpo', leavesPerTree: 3, expansionsPerRound: 2, rounds: 1, branchFactor: 2, countSharedOnce: true },
      {} as never,
    );
    const [tree] = (await plugin.rollout({ ...input, samples: [{ sample: sample(), rollouts: 6 }] })).trees;
    expect(tree.trajectories).toHaveLength(6);
    const byNode = leavesByNode(tree);
    const treeNodes = tree.nodes.filter((n) => n.reason === 'tree');
    expect(treeNodes.map((n) => byNode.get(n.id)!.length)).toEqual([3, 3]);
    expect(byNode.get(tree.nodes.find((n) => n.reason === 'root')!.id)).toHaveLength(6);
    for (const n of tree.nodes.filter((x) => x.reason === 'turn')) expect(byNode.get(n.id)!.length).toBeGreaterThanOrEqual(2);
    checkSharedPrefixes(tree);
  });

  it('portool: exactly n leaves, grown by choosing among f candidate steps', async () => {
    const { input } = makeInput(script);
    const plugin = treeSearchRollout.create(
      { ...engineDefaults, mode: 'portool', leavesPerTree: 3, expansionsPerRound: 2, rounds: 1, branchFactor: 2, countSharedOnce: true },
      {} as never,
    );
    const [tree] = (await plugin.rollout({ ...input, samples: [{ sample: sample(), rollouts: 4 }] })).trees;
    expect(tree.trajectories).toHaveLength(4);
    expect(tree.trajectories.every((t) => t.finishReason === 'stop')).toBe(true);
    checkSharedPrefixes(tree);
  });
});
