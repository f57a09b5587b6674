import { definePlugin, type RolloutInput, type RolloutStrategy } from '@tirl/core';
import { z } from 'zod';
import type { Agent } from '../engine/agent';
import { engineOptionsShape } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';

const options = z
  .object({
    ...engineOptionsShape,
    /** N: full rollouts started per prompt; the rest of the budget M (= the sample's rollouts) is filled by branching (ARPO: 8 of 16). */
    initialRollouts: z.number().int().positive().default(8),
    /** Z: a branch point adds up to Z − 1 copies (ARPO: 2). */
    beamSize: z.number().int().min(2).default(2),
    /** τ: branch iff clip(u − β·ΔH, 0, 1) ≤ τ with u ~ U(0, 1) (ARPO: 0.5). */
    branchProbability: z.number().min(0).max(1).default(0.5),
    /** β: weight of the entropy change ΔH = H_now − H_init (ARPO: 0.2). */
    entropyWeight: z.number().min(0).default(0.2),
    /** Start one fresh rollout per iteration for a prompt with free slots and no live rollout (ARPO code). */
    freshRollouts: z.boolean().default(true),
    countSharedOnce: z.boolean().default(true),
  })
  .strict();

/**
 * ARPO: after each turn with tool results, a rollout branches into up to Z − 1 copies of its state
 * (the observation included) with probability clip(τ + β·ΔH, 0, 1), until each prompt has M rollouts.
 * Entropy is the mean per-token entropy of a turn's first `entropyTokens` tokens over log|V|; the
 * released code sums top-10 entropies instead, so β and τ are not on exactly the same scale.
 * Copies keep their parent's initial entropy. Groups are never padded with duplicates.
 */
export const arpoRollout = definePlugin({
  kind: 'rollout',
  name: 'arpo',
  summary: 'ARPO entropy-triggered branching after tool results, filling M rollouts per prompt from N initial ones.',
  paper: { title: 'Agentic Reinforced Policy Optimization', arxiv: '2507.19849', section: '3.2 (entropy-based adaptive rollout)' },
  options,
  create: (opts): RolloutStrategy => ({
    rollout: (input: RolloutInput) =>
      withEngine(input, opts, true, async (engine) => {
        const rng = input.rng.fork('rollout/arpo');
        const groups = input.samples.map(({ sample, rollouts }, k) => {
          const treeId = treeIdFor(sample, input.step, k);
          const initial = Math.min(opts.initialRollouts, rollouts);
          let next = 0;
          const newId = () => `${treeId}/${next++}`;
          const { agents, root } = startSiblings(engine, sample, treeId, initial, () => newId());
          return { treeId, sample, budget: rollouts, agents, root, newId };
        });
        for (;;) {
          const live = groups.flatMap((g) => g.agents.filter((a) => !a.done));
          if (live.length === 0) break;
          await engine.turn(live);
          for (const g of groups) {
            const branchable = g.agents.filter((a) => !a.done && a.lastTurnCalls > 0);
            for (const a of branchable) {
              if (g.agents.length >= g.budget) break;
              const dH = (a.lastEntropy ?? 0) - (a.firstEntropy ?? 0);
              const p = Math.min(1, Math.max(0, rng.next() - opts.entropyWeight * dH));
              if (p > opts.branchProbability) continue;
              engine.markNode(a, 'entropy');
              const copies = Math.min(opts.beamSize - 1, g.budget - g.agents.length);
              for (let c = 0; c < copies; c++) g.agents.push(engine.fork(a, g.newId()));
            }
            if (opts.freshRollouts && g.agents.length < g.budget && g.agents.every((a: Agent) => a.done)) {
              const fresh = engine.startRoot({ sample: g.sample, id: g.newId(), groupId: g.sample.id, path: [g.root] });
              g.agents.push(fresh);
            }
          }
        }
        return groups.map((g) => assembleTree(engine, g.treeId, g.sample.id, g.agents, opts.countSharedOnce));
      }),
  }),
});
