import { definePlugin, type RolloutInput, type RolloutStrategy, type Sample } from '@tirl/core';
import { z } from 'zod';
import type { Agent } from '../engine/agent';
import { engineOptionsShape, type RolloutEngine } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { GIVE_UP } from '../formats/parallel-calls';
import { rootNode, treeIdFor, withEngine } from './common';

const options = z
  .object({
    ...engineOptionsShape,
    /** w: children generated per node before backing off (DFS_woFilter_w2). */
    width: z.number().int().min(1).max(8).default(2),
    /**
     * Actions on one chain before it is cut. ToolBench's `single_chain_max_step` 12 counts tree nodes
     * (Thought, Action, Action Input: three per action), so 12 nodes ≈ 4 actions.
     */
    maxDepth: z.number().int().min(1).default(4),
    /** Model calls per sample before the whole search stops (max_query_count 200 in the pipeline). */
    maxQueries: z.number().int().min(1).default(200),
    /** Answers to find before stopping (ToolBench: 1). */
    answers: z.number().int().min(1).default(1),
    /** Show a node's earlier children to its next child (ToolLLM's diversity prompt). */
    diversity: z.boolean().default(true),
    /** The answer that means "give up and restart" (the `Finish` return type). */
    giveUp: z.string().min(1).default(GIVE_UP),
    countSharedOnce: z.boolean().default(true),
  })
  .strict();

type DfsdtOptions = z.output<typeof options>;

/** DFS return codes: an answer was found (stop everything), back off `n − 1` more levels, or try the next sibling. */
const FOUND = 10000;

/** ToolLLM's diversity message: the earlier children of this node, which all failed. */
export function diversityPrompt(previous: readonly { name: string; args: unknown; observation: string }[]): string {
  const listed = previous.map((p) => JSON.stringify({ name: p.name, arguments: p.args, function_output: p.observation, 'mento-carlo-action-value': 0.0 }));
  return (
    '\nThis is not the first time you try this task, all previous trails failed. Before you generate your thought for this state, ' +
    `here are your previous actions for this state:\n${listed.join('\n')}\n` +
    'Analyse the state and the previous candidates, then make actions that are different from all the previous.\n'
  );
}

interface SearchState {
  queries: number;
  answers: number;
  leaves: Agent[];
}

/**
 * One sample's depth-first search decision tree. A node is the state after an action; at each node up to
 * `width` children are generated one at a time (each sees the earlier children through the diversity
 * prompt), each searched depth-first before the next. A child that answers ends the search; one that gives
 * up returns 2, so its parent returns 1 and the grandparent tries a new child (ToolBench's back-off);
 * a chain cut by the depth limit returns 1. Every finished or cut chain is a leaf of the tree.
 */
async function search(engine: RolloutEngine, sample: Sample, treeId: string, o: DfsdtOptions) {
  const root = engine.startRoot({ sample, id: `${treeId}/0`, groupId: sample.id, path: [] });
  root.path.push(rootNode(engine, treeId, root));
  const state: SearchState = { queries: 0, answers: 0, leaves: [] };
  let count = 0;
  const dfs = async (node: Agent, depth: number): Promise<number> => {
    const tried: { name: string; args: unknown; observation: string }[] = [];
    engine.markNode(node, 'dfs');
    for (let i = 0; i < o.width; i++) {
      if (state.queries >= o.maxQueries || state.answers >= o.answers) {
        // Out of model calls before this node got a child: the chain so far is a (cut) leaf.
        if (i === 0 && node.turn > 0) {
          engine.finish(node, 'max_turns');
          state.leaves.push(node);
        }
        return FOUND;
      }
      const child = engine.fork(node, `${treeId}/${++count}`);
      if (o.diversity && tried.length) engine.inject(child, diversityPrompt(tried));
      const before = child.toolCalls.length;
      await engine.turn([child]);
      state.queries++;
      for (const c of child.toolCalls.slice(before)) tried.push({ name: c.name, args: c.args, observation: c.observation });
      let r: number;
      if (child.done) {
        state.leaves.push(child);
        const answered = child.finishReason === 'stop' && child.answer !== undefined && child.answer.trim() !== o.giveUp;
        if (answered) state.answers++;
        r = answered ? FOUND : child.answer?.trim() === o.giveUp ? 2 : 1;
      } else if (depth + 1 >= o.maxDepth) {
        engine.finish(child, 'max_turns');
        state.leaves.push(child);
        r = 1;
      } else {
        r = await dfs(child, depth + 1);
      }
      if (r === FOUND || state.answers >= o.answers) return FOUND;
      if (r > 1) return r - 1;
    }
    return 1;
  };
  await dfs(root, 0);
  engine.discard(root);
  return { leaves: state.leaves, queries: state.queries, answers: state.answers };
}

/**
 * ToolLLM's DFSDT rollout: per sample a depth-first search decision tree over tool-calling steps with
 * back-off on give-ups; its leaves (answered, given-up and cut chains) are the sample's group, sharing the
 * prefixes of their common nodes.
 */
export const dfsdtRollout = definePlugin({
  kind: 'rollout',
  name: 'dfsdt',
  summary: 'ToolLLM DFSDT: depth-first search decision tree over tool calls (width 2, diversity prompt, back-off on give-up); its leaves form the group',
  paper: {
    title: 'ToolLLM: Facilitating Large Language Models to Master 16000+ Real-world APIs',
    arxiv: '2307.16789',
    section: '3.3 (DFSDT); DFS.py constants: width 2 (DFS_woFilter_w2), single_chain_max_step 12 nodes, max_query_count 200, answer 1',
  },
  options,
  create: (o): RolloutStrategy => ({
    rollout: (input: RolloutInput) =>
      withEngine(input, o, false, async (engine) => {
        const found = await Promise.all(input.samples.map(({ sample }, k) => search(engine, sample, treeIdFor(sample, input.step, k), o).then((r) => ({ ...r, sample, k }))));
        return found.map(({ sample, k, leaves, queries, answers }) => {
          const tree = assembleTree(engine, treeIdFor(sample, input.step, k), sample.id, leaves, o.countSharedOnce, ['root']);
          for (const t of tree.trajectories) if (t.parentId === undefined) t.meta = { ...(t.meta ?? {}), dfsdtQueries: queries, dfsdtAnswered: answers };
          return tree;
        });
      }),
  }),
});
