import { definePlugin, TirlError, type RolloutInput, type RolloutStrategy, type RolloutTree, type Sample, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { engineOptionsShape } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';

const options = z
  .object({
    ...engineOptionsShape,
    countSharedOnce: z.boolean().default(true),
    /** Share of each group rolled out with the policy document in context (G_p / (G + G_p)); at least one rollout stays plain. */
    share: z.number().min(0).max(1).default(0.5),
    /** `sample.meta` key of the policy document. */
    documentKey: z.string().min(1).default('policy'),
    /** A policy document for samples that carry none (one document for the whole task). */
    document: z.string().min(1).optional(),
    /** How the document is shown: `{policy}` is replaced by it; the result opens the system message. */
    template: z
      .string()
      .refine((s) => s.includes('{policy}'), { message: 'must contain "{policy}"' })
      .default('Follow this policy:\n{policy}'),
  })
  .strict();

type Options = z.output<typeof options>;

/** The sample with the policy document in its system message (a new one when it has none). */
export function withPolicyDocument(sample: Sample, document: string, template: string): Sample {
  const text = template.replace('{policy}', document);
  const messages = sample.messages.map((m) => ({ ...m }));
  if (messages[0]?.role === 'system') messages[0].content = `${text}\n\n${messages[0].content}`;
  else messages.unshift({ role: 'system', content: text });
  return { ...sample, messages };
}

/**
 * A policy-aware trajectory re-based onto the plain prompt: its prompt segment becomes the plain one, so it
 * trains in the context the model must act in without the document; row offsets (tree nodes, action
 * spans) move by the length difference. Its behaviour log-probs stay those of the document context, so the
 * objective's ratio π(·|q)/π(·|P, q) weights it as off-policy data (clipped by the objective).
 */
function rebase(t: Trajectory, plainPrompt: Trajectory['segments'][number], shift: number, countSharedOnce: boolean): Trajectory {
  const [first, ...rest] = t.segments;
  if (first?.source !== 'prompt') return t;
  const meta: Record<string, unknown> = { ...(t.meta ?? {}), policyAware: true };
  const spans = meta.actionSpans as [number, number][] | undefined;
  if (spans) meta.actionSpans = spans.map(([s, e]) => [s + shift, e + shift]);
  const out: Trajectory = { ...t, segments: [{ ...plainPrompt, tokenIds: [...plainPrompt.tokenIds] }, ...rest], meta };
  if (countSharedOnce) out.sharedPrefixLength = plainPrompt.tokenIds.length;
  else delete out.sharedPrefixLength;
  return out;
}

function documentOf(sample: Sample, o: Options): string {
  const v = sample.meta?.[o.documentKey];
  if (typeof v === 'string' && v.trim()) return v;
  if (o.document) return o.document;
  throw new TirlError(`rollout/policy-augmented: sample "${sample.id}" has no meta.${o.documentKey} and no "document" option is set`, 'invalid-data');
}

/**
 * TriMPI's PolicyRollout: each group mixes rollouts from π(·|q) with rollouts from π(·|P, q) (the policy
 * document P in context); all are scored and share one group baseline, and every row trains in the
 * context q alone, so the policy learns to act as the document says without seeing it.
 */
export const policyAugmentedRollout = definePlugin({
  kind: 'rollout',
  name: 'policy-augmented',
  summary: 'TriMPI PolicyRollout: part of each group sees the policy document; every row trains without it (one group baseline over both)',
  paper: {
    title: 'Multimodal Policy Internalization for Conversational Agents',
    arxiv: '2510.09474',
    section: '4.3 (PolicyRollout: GRPO rollouts augmented with policy-aware responses); G_p share and loss context unverified',
  },
  options,
  create: (o): RolloutStrategy => ({
    rollout: (input: RolloutInput) =>
      withEngine(input, o, false, async (engine) => {
        const groups = input.samples.map(({ sample, rollouts }, k) => {
          const aware = rollouts > 1 ? Math.min(rollouts - 1, Math.round(o.share * rollouts)) : 0;
          const treeId = treeIdFor(sample, input.step, k);
          const plain = startSiblings(engine, sample, treeId, rollouts - aware, (i) => `${treeId}/${i}`);
          const augmented = aware > 0 ? withPolicyDocument(sample, documentOf(sample, o), o.template) : sample;
          const awareTree = `${treeId}/policy`;
          const withDoc = startSiblings(engine, augmented, awareTree, aware, (i) => `${treeId}/p${i}`);
          return { sample, treeId, awareTree, plain: plain.agents, aware: withDoc.agents };
        });
        await engine.runToEnd(groups.flatMap((g) => [...g.plain, ...g.aware]));
        const trees: RolloutTree[] = [];
        for (const g of groups) {
          const plainTree = assembleTree(engine, g.treeId, g.sample.id, g.plain, o.countSharedOnce);
          trees.push(plainTree);
          if (!g.aware.length) continue;
          const awareTree = assembleTree(engine, g.awareTree, g.sample.id, g.aware, o.countSharedOnce);
          const plainPrompt = plainTree.trajectories[0].segments[0];
          const awarePrompt = awareTree.trajectories[0].segments[0];
          const shift = plainPrompt.tokenIds.length - awarePrompt.tokenIds.length;
          trees.push({
            ...awareTree,
            nodes: awareTree.nodes.map((n) => ({ ...n, tokenOffset: Math.max(0, n.tokenOffset + shift) })),
            trajectories: awareTree.trajectories.map((t) => (t.parentId === undefined ? rebase(t, plainPrompt, shift, o.countSharedOnce) : t)),
          });
        }
        return trees;
      }),
  }),
});
