import { definePlugin, type PreferencePair } from '@tirl/core';
import { z } from 'zod';
import { branchesByNode, sameIds, stepAt } from './steps';

/**
 * TP-LLaMA step-wise pairs from inference trees: at every node with a successful branch (a leaf below
 * it with reward ≥ `successThreshold`), the next assistant step of the best successful branch is
 * preferred over the next step of each sibling branch with no successful leaf below it. The prompt is
 * everything before the step (tool observations included); identical steps make no pair.
 */
export const treeStepwisePairs = definePlugin({
  kind: 'pairs',
  name: 'tree-stepwise',
  summary: 'TP-LLaMA: step-wise pairs (success-path step ≻ failed sibling step) from rollout trees',
  paper: {
    title: 'Advancing Tool-Augmented Large Language Models: Integrating Insights from Errors in Inference Trees',
    arxiv: '2406.07115',
    section: '§3 (step-wise preference pairs from failed branches of inference trees)',
  },
  options: z
    .object({
      /** A leaf succeeds when its reward is at least this (1 for a ±1 or 0/1 correctness reward). */
      successThreshold: z.number().default(1),
    })
    .strict(),
  create: (o) => ({
    fromRollouts: true,
    pairs({ trees }) {
      const pairs: PreferencePair[] = [];
      let nodesWithSuccess = 0;
      for (const tree of trees ?? []) {
        for (const { node, branches } of branchesByNode(tree)) {
          const good = branches.filter((b) => b.best >= o.successThreshold).sort((a, b) => b.best - a.best);
          if (!good.length || branches.length < 2) continue;
          nodesWithSuccess += 1;
          const chosen = stepAt(good[0].leaves[0], node.tokenOffset);
          if (!chosen) continue;
          for (const bad of branches.filter((b) => b.best < o.successThreshold)) {
            const rejected = stepAt(bad.leaves[0], node.tokenOffset);
            if (!rejected || !sameIds(rejected.promptIds, chosen.promptIds) || sameIds(rejected.stepIds, chosen.stepIds)) continue;
            pairs.push({
              id: `${tree.id}/${node.id}/${bad.key}`,
              sampleId: tree.sampleId,
              promptIds: chosen.promptIds,
              chosenIds: chosen.stepIds,
              rejectedIds: rejected.stepIds,
              meta: { node: node.id, chosenBranch: good[0].key, rejectedBranch: bad.key },
            });
          }
        }
      }
      return { pairs, metrics: { 'pairs/tree-stepwise/pairs': pairs.length, 'pairs/tree-stepwise/nodes_with_success': nodesWithSuccess } };
    },
  }),
});
