import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { userQuery } from '../text/query';
import { createJudgeChat, judgeSourceShape } from './judge-chat';
import { judgeRoots, responseOf } from './score-roots';

export const DEFAULT_RUBRIC_PROMPT = [
  'Grade the response with the rubric. For each item write one line "<item number>: <integer score from 0 to {max}>".',
  'Rubric:',
  '{rubric}',
  'Question: {question}',
  'Response: {response}',
].join('\n');

export const DEFAULT_META_PROMPT = [
  'You refine the rubric a judge uses to grade responses. Current rubric:',
  '{rubric}',
  'Graded responses:',
  '{samples}',
  'Find where the rubric let a poor response score well or a good one score badly, then write the improved',
  'rubric: one item per line, each line starting with "- ".',
].join('\n');

/** Σ of the item scores `i: s` of a reply for items 1..n (an item without a parsable score adds 0). */
export function rubricScore(reply: string, items: number, max: number): { total: number; parsed: number } {
  const seen = new Map<number, number>();
  for (const m of reply.matchAll(/^\s*(\d+)\s*[:.)]\s*(-?\d+)/gm)) {
    const i = Number(m[1]);
    if (i >= 1 && i <= items && !seen.has(i)) seen.set(i, Math.max(0, Math.min(max, Number(m[2]))));
  }
  return { total: [...seen.values()].reduce((s, x) => s + x, 0), parsed: seen.size };
}

/** The "- item" lines of a meta-judge reply, identical items once, in order. */
export function rubricItems(reply: string): string[] {
  const items = [...reply.matchAll(/^\s*-\s+(.+?)\s*$/gm)].map((m) => m[1]);
  return [...new Set(items)];
}

/** Graded rollouts kept between refinements at most (the newest). */
const MAX_RECENT = 4096;

interface Graded {
  question: string;
  response: string;
  score: number;
}

/**
 * Meta Policy Optimization: the reward model grades with a rubric (reward = Σ item scores); every `interval`
 * updates a meta reward model reads `samples` recently graded rollouts and rewrites the rubric, which the
 * reward model uses from the next scoring on. The rubric and its version are run state (checkpointed).
 */
export const evolvingRubric = definePlugin({
  kind: 'reward',
  name: 'evolving-rubric',
  summary: 'MPO: an LLM judge scores with a rubric (Σ item scores); every interval updates a meta-judge rewrites the rubric from recent graded rollouts',
  paper: {
    title: 'Toward Evaluative Thinking: Meta Policy Optimization with Evolving Reward Models',
    arxiv: '2504.20157',
    section: '3 (MPO loop); num_mpo_interval 10 and num_mpo_samples 20 from mpo_config.py',
  },
  options: z
    .object({
      judge: judgeSourceShape,
      /** The meta reward model; default: the judge itself. */
      metaJudge: judgeSourceShape.optional(),
      /** The initial rubric, one item per entry. */
      rubric: z.array(z.string().min(1)).min(1).default(['The response answers the question correctly.', 'The response is clear and concise.']),
      /** Highest score of one item. */
      maxItemScore: z.number().int().min(1).max(100).default(5),
      /** Updates between rubric refinements (num_mpo_interval). */
      interval: z.number().int().min(1).default(10),
      /** Graded rollouts the meta-judge reads per refinement (num_mpo_samples). */
      samples: z.number().int().min(1).default(20),
      promptTemplate: z.string().refine((s) => s.includes('{rubric}') && s.includes('{response}'), { message: 'must contain "{rubric}" and "{response}"' }).default(DEFAULT_RUBRIC_PROMPT),
      metaPromptTemplate: z.string().refine((s) => s.includes('{rubric}') && s.includes('{samples}'), { message: 'must contain "{rubric}" and "{samples}"' }).default(DEFAULT_META_PROMPT),
      concurrency: z.number().int().min(1).max(64).default(4),
    })
    .strict(),
  create(o, ctx) {
    const judge = createJudgeChat(o.judge, ctx, 'reward/evolving-rubric');
    const meta = o.metaJudge ? createJudgeChat(o.metaJudge, ctx, 'reward/evolving-rubric (meta)') : judge;
    let rubric = [...o.rubric];
    let version = 0;
    let recent: Graded[] = [];
    let pending: Graded[] | undefined;
    const listed = (items: readonly string[]) => items.map((x, i) => `${i + 1}. ${x}`).join('\n');
    const refine = async (picked: Graded[]) => {
      const samples = picked.map((g) => `Question: ${g.question}\nResponse: ${g.response}\nScore: ${g.score}`).join('\n\n');
      const reply = await meta(o.metaPromptTemplate.replace('{rubric}', listed(rubric)).replace('{samples}', samples), { maxTokens: 1024 });
      const items = rubricItems(reply);
      if (items.length) {
        rubric = items;
        version++;
      }
    };
    return {
      async score(input) {
        if (pending) {
          const picked = pending;
          pending = undefined;
          await refine(picked);
        }
        const items = rubric;
        return judgeRoots(input, o.concurrency, async (root, sample) => {
          const question = userQuery(sample);
          const response = responseOf(root);
          const prompt = o.promptTemplate.replace('{max}', String(o.maxItemScore)).replace('{rubric}', listed(items)).replace('{question}', question).replace('{response}', response);
          const { total, parsed } = rubricScore(await judge(prompt), items.length, o.maxItemScore);
          recent.push({ question, response, score: total });
          if (recent.length > MAX_RECENT) recent.shift();
          return { score: total, components: { items_parsed: parsed, rubric_version: version } };
        });
      },
      observe(input) {
        if (input.step > 0 && input.step % o.interval === 0 && recent.length) {
          pending = ctx.rng.shuffle(recent).slice(0, o.samples);
          recent = [];
        }
      },
      state: () => ({ rubric, version, pending: pending ?? null, recent }),
      loadState(s) {
        const st = s as { rubric?: string[]; version?: number; pending?: Graded[] | null; recent?: Graded[] } | undefined;
        if (st?.rubric?.length) rubric = [...st.rubric];
        version = st?.version ?? 0;
        pending = st?.pending ?? undefined;
        recent = [...(st?.recent ?? [])];
      },
    };
  },
});
