import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { exactMatch, lastAnswerTag, lastBoxed } from '../reward/answer';
import { userQuery } from '../text/query';
import { createJudgeChat, judgeSourceShape, type JudgeChat } from './judge-chat';
import { judgeRoots, responseOf } from './score-roots';
import { parseScore } from './tool-augmented-rm';

const name = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a lower-case name like "no_refusal"');

const judgeShape = z.discriminatedUnion('type', [
  /** Rule: the extracted final answer (`<answer>`, `\boxed{}`, else the text) matches a gold answer (math / QA correctness). */
  z.object({ type: z.literal('answer'), name: name.default('correct') }).strict(),
  /** Rule: the response matches (or must not match) a regular expression (format / instruction checks). */
  z.object({ type: z.literal('regex'), name, pattern: z.string().min(1), flags: z.string().regex(/^[imsu]*$/).default(''), pass: z.enum(['match', 'no-match']).default('match') }).strict(),
  /** Rule: the response has at most `max` characters. */
  z.object({ type: z.literal('max-chars'), name, max: z.number().int().positive() }).strict(),
  /** LLM judge: asks `prompt` (with {question} and {response}); passes when the reply contains `passWord`. */
  z.object({ type: z.literal('llm'), name, prompt: z.string().refine((s) => s.includes('{response}'), { message: 'must contain "{response}"' }), passWord: z.string().min(1).default('YES') }).strict(),
]);

type JudgeSpec = z.output<typeof judgeShape>;

export const DEFAULT_RM_PROMPT = 'Rate how helpful and correct the response is.\nQuestion: {question}\nResponse: {response}\nReply "Score: <number from 0 to 10>".';

/** The logistic function σ(x) = 1 / (1 + e^−x). */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * CGPO's mixture of judges with the CRPG calibrated reward: c = AND of every judge (rule and LLM judges);
 * with a reward model, R̃ = c · σ(r − r̄), r the RM score of the response and r̄ that of the sample's
 * reference completion (`meta.reference`); without one, R̃ = c. The KL factor max(0, 1 − KL/κ) of CRPG is
 * not applied here (rewards see no log-probs): the method keeps the KL in its regularizer.
 */
export const mixtureOfJudges = definePlugin({
  kind: 'reward',
  name: 'mixture-of-judges',
  summary: 'CGPO mixture of judges: c = AND of rule and LLM judges; reward c·σ(r − r̄) with an RM score r against the reference completion\'s r̄ (or c alone)',
  paper: {
    title: 'The Perfect Blend: Redefining RLHF with Mixture of Judges',
    arxiv: '2409.20370',
    section: '3.2 (CRPG calibrated reward σ(r − r̄) gated by the judges), 3.3 (rule-based and LLM-based judges)',
  },
  options: z
    .object({
      judges: z.array(judgeShape).min(1).default([{ type: 'answer', name: 'correct' }]),
      /** The LLM behind `llm` judges and the reward model. */
      judge: judgeSourceShape.optional(),
      /** Reward-model prompt (reply "Score: x"); absent: the reward is the judges' verdict c alone. */
      rewardModel: z.string().refine((s) => s.includes('{response}'), { message: 'must contain "{response}"' }).optional(),
      /** r̄: the RM score of `meta.<referenceKey>` (CRPG), or 0. */
      baseline: z.enum(['reference', 'zero']).default('reference'),
      referenceKey: z.string().min(1).default('reference'),
      concurrency: z.number().int().min(1).max(64).default(4),
    })
    .strict()
    .superRefine((o, c) => {
      const needsLlm = o.rewardModel !== undefined || o.judges.some((j) => j.type === 'llm');
      if (needsLlm && !o.judge) c.addIssue({ code: 'custom', path: ['judge'], message: 'an llm judge or a rewardModel needs "judge" (endpoint or policy)' });
      const names = o.judges.map((j) => j.name);
      if (new Set(names).size !== names.length) c.addIssue({ code: 'custom', path: ['judges'], message: 'judge names must be unique' });
    }),
  create(o, ctx) {
    const chat: JudgeChat | undefined = o.judge ? createJudgeChat(o.judge, ctx, 'reward/mixture-of-judges') : undefined;
    const baselines = new Map<string, Promise<number>>();
    const fill = (template: string, question: string, response: string) => template.replace('{question}', question).replace('{response}', response);
    const rm = async (question: string, response: string): Promise<number> => {
      const reply = await chat!(fill(o.rewardModel!, question, response));
      const score = parseScore(reply);
      if (score === undefined) throw new Error(`reward/mixture-of-judges: no "Score: <number>" in the reward model's reply "${reply.slice(0, 80)}"`);
      return score;
    };
    const passes = async (j: JudgeSpec, question: string, response: string, gold: unknown): Promise<boolean> => {
      switch (j.type) {
        case 'answer':
          return exactMatch(lastAnswerTag(response) ?? lastBoxed(response) ?? response, gold) === 1;
        case 'regex':
          return new RegExp(j.pattern, j.flags).test(response) === (j.pass === 'match');
        case 'max-chars':
          return response.length <= j.max;
        case 'llm':
          return (await chat!(fill(j.prompt, question, response))).includes(j.passWord);
      }
    };
    return {
      score: (input) =>
        judgeRoots(input, o.concurrency, async (root, sample) => {
          const question = userQuery(sample);
          const response = responseOf(root);
          const verdicts = await Promise.all(o.judges.map((j) => passes(j, question, response, sample?.answer)));
          const c = verdicts.every(Boolean) ? 1 : 0;
          const components: Record<string, number> = Object.fromEntries(o.judges.map((j, i) => [`judge_${j.name}`, verdicts[i] ? 1 : 0]));
          components.constraints = c;
          if (o.rewardModel === undefined) return { score: c, components };
          let rBar = 0;
          if (o.baseline === 'reference') {
            const ref = sample?.meta?.[o.referenceKey];
            if (typeof ref !== 'string') throw new Error(`reward/mixture-of-judges: sample "${sample?.id}" has no meta.${o.referenceKey} (the reference completion for r̄); or set baseline: "zero"`);
            const key = `${sample!.id}\u0000${ref}`;
            if (!baselines.has(key)) baselines.set(key, rm(question, ref));
            rBar = await baselines.get(key)!;
          }
          const r = await rm(question, response);
          return { score: c * sigmoid(r - rBar), components: { ...components, rm: r, rm_baseline: rBar } };
        }),
    };
  },
});
