import { definePlugin, type RolloutInput, type RolloutStrategy, type Sample } from '@tirl/core';
import { z } from 'zod';
import type { Agent, PathNode } from '../engine/agent';
import { engineOptionsShape, type RolloutEngine } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';

const options = z
  .object({
    ...engineOptionsShape,
    /** `tree-grpo`: M trees, L expansion rounds of N random turn boundaries, K leaves kept per tree. `portool`: n leaves grown step by step with f candidate next steps per live rollout. */
    mode: z.enum(['tree-grpo', 'portool']).default('tree-grpo'),
    /** K (tree-grpo): leaves kept per tree; trees per prompt M = ceil(rollouts / K) (Tree-GRPO: K = 3, M = 2). */
    leavesPerTree: z.number().int().positive().default(3),
    /** N (tree-grpo): boundaries expanded per tree and round, drawn with replacement (Tree-GRPO: 2). */
    expansionsPerRound: z.number().int().positive().default(2),
    /** L (tree-grpo): expansion rounds (Tree-GRPO: 1). */
    rounds: z.number().int().nonnegative().default(1),
    /** f (portool): candidate next steps per live rollout at each depth. */
    branchFactor: z.number().int().min(1).default(2),
    countSharedOnce: z.boolean().default(true),
  })
  .strict();

type TreeSearchOptions = z.output<typeof options>;

/**
 * Branching at turn boundaries (a node is a whole step: generation, tool calls, observation).
 * Tree-GRPO grows M chains, then expands uniformly drawn boundaries (the prompt included) into new
 * chains and keeps K leaves per tree; every leaf's path holds the prompt node and its tree node, so
 * intra-tree groups are `leavesByNode(tree).get(treeNode)`. PORTool keeps n rollouts: at each depth
 * every live rollout proposes f next steps and n − (finished) of them are kept uniformly at random.
 */
export const treeSearchRollout = definePlugin({
  kind: 'rollout',
  name: 'tree-search',
  summary: 'Tree-GRPO / PORTool tree rollouts that branch at turn boundaries and share step prefixes.',
  paper: { title: 'Tree Search for LLM Agent Reinforcement Learning (Tree-GRPO)', arxiv: '2509.21240', section: '3 (tree search rollout); PORTool arXiv 2510.26020' },
  options,
  create: (opts): RolloutStrategy => ({
    rollout: (input: RolloutInput) =>
      withEngine(input, opts, false, async (engine) => {
        const rng = input.rng.fork('rollout/tree-search');
        const trees = [];
        const jobs = input.samples.map(({ sample, rollouts }, k) =>
          opts.mode === 'portool'
            ? portool(engine, sample, treeIdFor(sample, input.step, k), rollouts, opts, rng.fork(k))
            : treeGrpo(engine, sample, treeIdFor(sample, input.step, k), rollouts, opts, rng.fork(k)),
        );
        for (const t of await Promise.all(jobs)) trees.push(t);
        return trees;
      }),
  }),
});

interface Boundary {
  tree: number;
  snapshot: Agent;
}

async function treeGrpo(engine: RolloutEngine, sample: Sample, treeId: string, rollouts: number, opts: TreeSearchOptions, rng: RolloutInput['rng']) {
  const M = Math.ceil(rollouts / opts.leavesPerTree);
  let next = 0;
  const newId = () => `${treeId}/${next++}`;
  const { agents: bases } = startSiblings(engine, sample, treeId, M, () => engine.nextId(`${treeId}/snap`));
  const boundaries: Boundary[] = [];
  const chains: { tree: number; agent: Agent }[] = [];
  bases.forEach((base, m) => {
    engine.markNode(base, 'tree', `${treeId}/t${m}`);
    boundaries.push({ tree: m, snapshot: base });
    chains.push({ tree: m, agent: engine.fork(base, newId()) });
  });
  const grow = async (list: { tree: number; agent: Agent }[]) => {
    for (let live = list.filter((c) => !c.agent.done); live.length; live = live.filter((c) => !c.agent.done)) {
      await engine.turn(live.map((c) => c.agent));
      for (const c of live) {
        if (c.agent.done) continue;
        engine.markNode(c.agent, 'turn');
        boundaries.push({ tree: c.tree, snapshot: engine.fork(c.agent, engine.nextId(`${treeId}/snap`)) });
      }
    }
  };
  await grow(chains);
  for (let l = 0; l < opts.rounds; l++) {
    const expansions: { tree: number; agent: Agent }[] = [];
    for (let m = 0; m < M; m++) {
      const pool = boundaries.filter((b) => b.tree === m);
      for (let j = 0; j < opts.expansionsPerRound; j++) {
        const b = pool[rng.int(pool.length)];
        expansions.push({ tree: m, agent: engine.fork(b.snapshot, newId()) });
      }
    }
    chains.push(...expansions);
    await grow(expansions);
  }
  for (const b of boundaries) engine.discard(b.snapshot);
  const leaves: Agent[] = [];
  for (let m = 0; m < M; m++) {
    const own = chains.filter((c) => c.tree === m).map((c) => c.agent);
    const kept = new Set(rng.shuffle(own).slice(0, opts.leavesPerTree));
    leaves.push(...own.filter((a) => kept.has(a)));
  }
  return assembleTree(engine, treeId, sample.id, leaves, opts.countSharedOnce);
}

async function portool(engine: RolloutEngine, sample: Sample, treeId: string, n: number, opts: TreeSearchOptions, rng: RolloutInput['rng']) {
  let next = 0;
  const newId = () => `${treeId}/${next++}`;
  const { agents } = startSiblings(engine, sample, treeId, n, () => newId());
  const completed: Agent[] = [];
  let live = agents;
  let first = true;
  while (live.length && completed.length < n) {
    const candidates: Agent[] = [];
    for (const a of live) {
      if (!first && opts.branchFactor > 1) {
        engine.markNode(a, 'fork');
        candidates.push(a);
        for (let c = 1; c < opts.branchFactor; c++) candidates.push(engine.fork(a, newId()));
      } else candidates.push(a);
    }
    first = false;
    await engine.turn(candidates);
    const need = n - completed.length;
    const chosen = new Set(rng.shuffle(candidates).slice(0, need));
    for (const c of candidates) if (!chosen.has(c)) engine.discard(c);
    const kept = candidates.filter((c) => chosen.has(c));
    completed.push(...kept.filter((c) => c.done));
    live = kept.filter((c) => !c.done);
  }
  return assembleTree(engine, treeId, sample.id, completed, opts.countSharedOnce);
}

export type { PathNode };
