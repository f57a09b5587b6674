import { definePlugin, type PreferencePair } from '@tirl/core';
import { z } from 'zod';
import { branchesByNode, sameIds, stepAt } from './steps';

/** |words(a) ∩ words(b)| / min(|words(a)|, |words(b)|) over whitespace word sets (iTool `overlap`). */
export function wordOverlap(a: string, b: string): number {
  const wa = new Set(a.split(/\s+/).filter(Boolean));
  const wb = new Set(b.split(/\s+/).filter(Boolean));
  const n = Math.min(wa.size, wb.size);
  if (n === 0) return 0;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / n;
}

/**
 * iTool step pairs from a search tree: at every node with ≥ 2 branches, the next step of the
 * highest-value branch is preferred over the lowest-value one (value = mean reward of the leaves below,
 * a Monte-Carlo estimate), kept iff the value gap ≥ `valueThreshold`, the best value ≥ `acceptValue` and
 * the two steps' word overlap ≤ `overlapLimit`.
 */
export const mctsStepPairs = definePlugin({
  kind: 'pairs',
  name: 'mcts-step',
  summary: 'iTool: best-vs-worst child step pairs at every tree node, filtered by value gap, value floor and overlap',
  paper: {
    title: 'Boosting Tool Use of Large Language Models via Iterative Reinforced Fine-Tuning',
    arxiv: '2501.09766',
    section: '§3.3 (MCTS-based step pairs); value_threshold 0.1, accept_value −0.3, overlap_limit 0.95 (released mcts/utils.py defaults)',
  },
  options: z
    .object({
      valueThreshold: z.number().min(0).default(0.1),
      acceptValue: z.number().default(-0.3),
      overlapLimit: z.number().min(0).max(1).default(0.95),
    })
    .strict(),
  create: (o) => ({
    fromRollouts: true,
    pairs({ trees, tokenizer }) {
      const pairs: PreferencePair[] = [];
      for (const tree of trees ?? []) {
        for (const { node, branches } of branchesByNode(tree)) {
          if (branches.length < 2) continue;
          const sorted = [...branches].sort((a, b) => b.value - a.value);
          const [best, worst] = [sorted[0], sorted[sorted.length - 1]];
          if (best.value - worst.value < o.valueThreshold || best.value < o.acceptValue) continue;
          const chosen = stepAt(best.leaves[0], node.tokenOffset);
          const rejected = stepAt(worst.leaves[0], node.tokenOffset);
          if (!chosen || !rejected || !sameIds(chosen.promptIds, rejected.promptIds) || sameIds(chosen.stepIds, rejected.stepIds)) continue;
          if (wordOverlap(tokenizer.decode(chosen.stepIds), tokenizer.decode(rejected.stepIds)) > o.overlapLimit) continue;
          pairs.push({
            id: `${tree.id}/${node.id}`,
            sampleId: tree.sampleId,
            promptIds: chosen.promptIds,
            chosenIds: chosen.stepIds,
            rejectedIds: rejected.stepIds,
            meta: { node: node.id, chosenValue: best.value, rejectedValue: worst.value },
          });
        }
      }
      return { pairs, metrics: { 'pairs/mcts-step/pairs': pairs.length } };
    },
  }),
});
