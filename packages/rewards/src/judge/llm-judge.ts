import { definePlugin, policyText } from '@tirl/core';
import { z } from 'zod';
import { extractAnswer } from '../text/extract';
import { goldAnswers } from '../util/gold';
import { assemble, type Scored } from '../util/score-each';
import { chatOnce } from './chat-client';

export const DEFAULT_JUDGE_TEMPLATE = [
  'Grade the predicted answer against the gold target.',
  'Question: {question}',
  'Gold target: {gold}',
  'Predicted answer: {answer}',
  'Reply with one letter: A if CORRECT, B if INCORRECT, C if NOT_ATTEMPTED.',
].join('\n');

/** Fills `{question}`, `{gold}`, `{answer}` and `{response}` in a template. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(question|gold|answer|response)\}/g, (_, k: string) => values[k] ?? '');
}

/** The first grade letter of the reply that the grade table knows. */
export function parseGrade(reply: string, grades: Readonly<Record<string, number>>): number | undefined {
  for (const m of reply.matchAll(/\b([A-Za-z])\b/g)) {
    const g = m[1].toUpperCase();
    if (g in grades) return grades[g];
  }
  return undefined;
}

/** LLM-as-judge correctness from any OpenAI-compatible chat endpoint; off unless a recipe lists it. */
export const llmJudge = definePlugin({
  kind: 'reward',
  name: 'llm-judge',
  summary: 'LLM-judge correctness: asks an OpenAI-compatible chat endpoint to grade the answer (timeout, retries, cache); failures are recorded, not thrown',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization (MATPO)', arxiv: '2510.04678', section: '3.2 (gpt-4o-mini judge, SimpleQA grading; A → 1)' },
  options: z
    .object({
      /** Full endpoint URL, e.g. `http://localhost:8000/v1/chat/completions`. */
      url: z.url(),
      model: z.string().min(1),
      promptTemplate: z.string().min(1).default(DEFAULT_JUDGE_TEMPLATE),
      /** Score of each grade letter. */
      grades: z.record(z.string().regex(/^[A-Z]$/), z.number()).default({ A: 1, B: 0, C: 0 }),
      /** Environment variable holding the API key (sent as a Bearer token). */
      apiKeyEnv: z.string().optional(),
      timeoutMs: z.number().int().positive().default(30_000),
      retries: z.number().int().nonnegative().max(10).default(2),
      retryDelayMs: z.number().int().nonnegative().default(200),
      maxConcurrency: z.number().int().positive().max(256).default(4),
      temperature: z.number().min(0).max(2).default(0),
      maxTokens: z.number().int().positive().default(16),
      /** Reuse the grade of an identical prompt within the run. */
      cache: z.boolean().default(true),
    })
    .strict(),
  create(options) {
    const cache = new Map<string, number>();
    const apiKey = options.apiKeyEnv ? process.env[options.apiKeyEnv] : undefined;
    const judgeOne = async (prompt: string): Promise<Scored> => {
      const hit = options.cache ? cache.get(prompt) : undefined;
      if (hit !== undefined) return hit;
      const reply = await chatOnce({ ...options, prompt, apiKey });
      const grade = parseGrade(reply, options.grades);
      if (grade === undefined) return { score: NaN, failure: `reward/llm-judge: no grade (${Object.keys(options.grades).join('/')}) in reply "${reply.slice(0, 80)}"` };
      if (options.cache) cache.set(prompt, grade);
      return grade;
    };
    return {
      async score(input) {
        const prompts = input.trajectories.map((t) => {
          const sample = input.samples.get(t.sampleId);
          const text = policyText(t);
          return fillTemplate(options.promptTemplate, {
            question: sample?.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
            gold: goldAnswers(sample).join(' | '),
            answer: extractAnswer(text) ?? text.trim(),
            response: text,
          });
        });
        const results: Scored[] = new Array(prompts.length);
        let next = 0;
        const worker = async () => {
          while (next < prompts.length) {
            const i = next++;
            const t = input.trajectories[i];
            if (t.parentId !== undefined) continue;
            try {
              results[i] = await judgeOne(prompts[i]);
            } catch (e) {
              results[i] = { score: NaN, failure: e instanceof Error ? e.message : String(e) };
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(options.maxConcurrency, prompts.length) }, worker));
        const byId = new Map(input.trajectories.map((t, i) => [t.id, results[i]]));
        return assemble(
          input.trajectories.map((t) => {
            const r = byId.get(t.rootId) ?? { score: NaN, failure: `root "${t.rootId}" of "${t.id}" is not in the batch` };
            return typeof r === 'number' ? { score: r } : r;
          }),
        );
      },
      dispose: () => cache.clear(),
    };
  },
});
