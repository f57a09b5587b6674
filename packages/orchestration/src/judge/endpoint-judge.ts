import { chatCompletion, chatCompletionsUrl } from '@tirl/core';
import { z } from 'zod';
import { judgePrompt, parseGrade, type AccuracyJudge, type JudgeRequest } from './judge';

/** Options of every judge endpoint's client: where the API key is, the timeout of one try, the retries. */
export const endpointClientFields = {
  /** Environment variable holding the API key (sent as a Bearer token). */
  apiKeyEnv: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  /** Further tries after a timeout, a network error, HTTP 429 or 5xx. */
  retries: z.number().int().nonnegative().max(10).default(2),
};

/** A judge model behind an OpenAI-compatible `POST {baseUrl}/v1/chat/completions` endpoint. */
export interface EndpointJudgeSpec {
  baseUrl: string;
  model: string;
  promptTemplate: string;
  grades: Readonly<Record<string, number>>;
  /** Sent as `authorization: Bearer <key>` when set. */
  apiKey?: string;
  timeoutMs: number;
  /** Further tries after a timeout, a network error, HTTP 429 or 5xx. */
  retries: number;
  maxTokens: number;
  temperature: number;
}

/** Grades by asking the endpoint (core's `chatCompletion`); one grade per distinct prompt is cached for the judge's lifetime. */
export function createEndpointJudge(spec: EndpointJudgeSpec): AccuracyJudge {
  const url = chatCompletionsUrl(spec.baseUrl);
  const cache = new Map<string, number>();
  return {
    async grade(request: JudgeRequest): Promise<number> {
      if (request.answer === undefined) return 0;
      const prompt = judgePrompt(spec.promptTemplate, request);
      const hit = cache.get(prompt);
      if (hit !== undefined) return hit;
      const grade = parseGrade(await chatCompletion({ ...spec, url, prompt }), spec.grades);
      cache.set(prompt, grade);
      return grade;
    },
  };
}
