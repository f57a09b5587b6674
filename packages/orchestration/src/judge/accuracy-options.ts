import { z } from 'zod';
import { endpointClientFields } from './endpoint-judge';
import { DEFAULT_GRADES, DEFAULT_JUDGE_PROMPT } from './judge';

const grades = z
  .record(z.string().regex(/^[A-Z]$/, 'grade letters are single capitals A-Z'), z.number().min(0).max(1))
  .refine((g) => Object.keys(g).length > 0, { message: 'needs at least one grade letter' })
  .default({ ...DEFAULT_GRADES });
const promptTemplate = z
  .string()
  .refine((s) => s.includes('{answer}') || s.includes('{response}'), { message: 'must contain "{answer}" or "{response}"' })
  .default(DEFAULT_JUDGE_PROMPT);

/**
 * Where `reward/matpo` reads accuracy: `exact-match` (SQuAD-normalised, the offline default), `endpoint` (an LLM
 * judge behind an OpenAI-compatible endpoint, as the paper grades), `policy` (a tirl policy the host registered
 * under `Tokens.policy`, as the judge), `service` (any `AccuracyJudge` registered under `ACCURACY_JUDGE`).
 */
export const accuracyShape = z
  .discriminatedUnion('source', [
    z.object({ source: z.literal('exact-match') }).strict(),
    z
      .object({
        source: z.literal('endpoint'),
        /** e.g. `http://127.0.0.1:8000` (the judge posts to `{baseUrl}/v1/chat/completions`). */
        baseUrl: z.url(),
        model: z.string().min(1),
        promptTemplate,
        grades,
        ...endpointClientFields,
        maxTokens: z.number().int().positive().default(16),
        temperature: z.number().min(0).max(2).default(0),
      })
      .strict(),
    z
      .object({
        source: z.literal('policy'),
        promptTemplate,
        grades,
        maxNewTokens: z.number().int().positive().default(8),
        temperature: z.number().min(0).max(2).default(0),
      })
      .strict(),
    z.object({ source: z.literal('service') }).strict(),
  ])
  .default({ source: 'exact-match' });

export type AccuracyOptions = z.output<typeof accuracyShape>;
