import { chatCompletion, chatCompletionsUrl, policyReply, type PolicyGenerator, type Rng, type Sample } from '@tirl/core';
import { z } from 'zod';

/**
 * The step-error prompt of FAPO's generative reward model: the solution split into indexed paragraphs, and
 * the index of the earliest wrong paragraph (−1 for none) asked for in `\boxed{}` (the ProcessBench format
 * FAPO-GenRM is trained to answer). `{problem}` and `{paragraphs}` are filled in.
 */
export const FAPO_GENRM_PROMPT = [
  'The following is a math problem and a solution (split into paragraphs, enclosed with tags and indexed from 0):',
  '',
  '[Math Problem]',
  '',
  '{problem}',
  '',
  '[Solution]',
  '',
  '{paragraphs}',
  '',
  'Your task is to review and critique the solution paragraph by paragraph. Once you identify an error in a paragraph, return the index of the paragraph where the earliest error occurs. Otherwise, return the index of -1 (which typically denotes "not found").',
  '',
  'Please put your final answer (i.e., the index) in \\boxed{}.',
].join('\n');

/** Paragraphs of a solution: blocks separated by blank lines, empty ones dropped. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The GenRM prompt for one solution: paragraphs wrapped as `<paragraph_i>…</paragraph_i>`. */
export function genrmPrompt(template: string, problem: string, solution: string): string {
  const paragraphs = splitParagraphs(solution)
    .map((p, i) => `<paragraph_${i}>\n${p}\n</paragraph_${i}>`)
    .join('\n\n');
  return template.replace('{problem}', problem).replace('{paragraphs}', paragraphs);
}

/** The index in the reply's last `\boxed{…}`; undefined when there is no integer there. */
export function parseErrorIndex(reply: string): number | undefined {
  const all = [...reply.matchAll(/\\boxed\{\s*(-?\d+)\s*\}/g)];
  return all.length ? Number(all.at(-1)![1]) : undefined;
}

/** Where the generative checker runs: an OpenAI-compatible endpoint or a tirl policy (`Tokens.policy`). */
export const genrmShape = z
  .object({
    /** e.g. `http://127.0.0.1:8000` (posts to `{baseUrl}/v1/chat/completions`); needed by `checker: "endpoint"`. */
    baseUrl: z.url().optional(),
    model: z.string().min(1).optional(),
    apiKeyEnv: z.string().min(1).optional(),
    promptTemplate: z
      .string()
      .refine((s) => s.includes('{paragraphs}'), { message: 'must contain "{paragraphs}"' })
      .default(FAPO_GENRM_PROMPT),
    timeoutMs: z.number().int().positive().default(60_000),
    retries: z.number().int().nonnegative().max(10).default(2),
    /** The GenRM reasons before its `\boxed{}` answer: leave room for it. */
    maxTokens: z.number().int().positive().default(2048),
    temperature: z.number().min(0).max(2).default(0),
  })
  .strict()
  .default({ promptTemplate: FAPO_GENRM_PROMPT, timeoutMs: 60_000, retries: 2, maxTokens: 2048, temperature: 0 });

export type GenrmOptions = z.output<typeof genrmShape>;

/** Reply of the generative checker to one prompt. */
export type AskGenrm = (prompt: string) => Promise<string>;

export function endpointAsker(o: GenrmOptions): AskGenrm {
  const url = chatCompletionsUrl(o.baseUrl!);
  const apiKey = o.apiKeyEnv ? process.env[o.apiKeyEnv] : undefined;
  return (prompt) => chatCompletion({ url, model: o.model!, prompt, ...(apiKey ? { apiKey } : {}), timeoutMs: o.timeoutMs, retries: o.retries, retryDelayMs: 200, temperature: o.temperature, maxTokens: o.maxTokens });
}

export function policyAsker(policy: PolicyGenerator, o: GenrmOptions, rng: Rng): AskGenrm {
  let calls = 0;
  return (prompt) => policyReply(policy, prompt, { maxNewTokens: o.maxTokens, temperature: o.temperature }, rng.fork(`genrm-${calls++}`));
}

/**
 * FAPO's flaw decision for one correct rollout: flawed when the GenRM names a paragraph (index ≠ −1).
 * A reply without a boxed index counts as not flawed (reward_fn_reasoning.py) and is reported as `unparsed`.
 */
export async function genrmVerdict(ask: AskGenrm, template: string, sample: Sample | undefined, solution: string): Promise<{ flawed: boolean; unparsed: boolean }> {
  const problem = sample?.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const index = parseErrorIndex(await ask(genrmPrompt(template, problem, solution)));
  return index === undefined ? { flawed: false, unparsed: true } : { flawed: index !== -1, unparsed: false };
}
