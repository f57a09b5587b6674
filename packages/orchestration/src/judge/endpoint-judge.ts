import { judgePrompt, parseGrade, type AccuracyJudge, type JudgeRequest } from './judge';

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

/** Grades by asking the endpoint; one grade per distinct prompt is cached for the judge's lifetime. */
export function createEndpointJudge(spec: EndpointJudgeSpec): AccuracyJudge {
  const url = `${spec.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
  const cache = new Map<string, number>();
  const ask = async (prompt: string): Promise<string> => {
    let last = '';
    for (let attempt = 0; attempt <= spec.retries; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), spec.timeoutMs);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(spec.apiKey ? { authorization: `Bearer ${spec.apiKey}` } : {}) },
          body: JSON.stringify({ model: spec.model, messages: [{ role: 'user', content: prompt }], max_tokens: spec.maxTokens, temperature: spec.temperature }),
          signal: controller.signal,
        });
        if (!res.ok) {
          last = `HTTP ${res.status}`;
          if (res.status === 429 || res.status >= 500) continue;
          break;
        }
        const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
        const content = body.choices?.[0]?.message?.content;
        if (typeof content === 'string') return content;
        last = 'the reply has no choices[0].message.content';
        break;
      } catch (e) {
        last = controller.signal.aborted ? `timed out after ${spec.timeoutMs} ms` : (e as Error).message;
      } finally {
        clearTimeout(timer);
      }
    }
    throw new Error(`judge ${url} failed after ${spec.retries + 1} tries: ${last}`);
  };
  return {
    async grade(request: JudgeRequest): Promise<number> {
      if (request.answer === undefined) return 0;
      const prompt = judgePrompt(spec.promptTemplate, request);
      const hit = cache.get(prompt);
      if (hit !== undefined) return hit;
      const grade = parseGrade(await ask(prompt), spec.grades);
      cache.set(prompt, grade);
      return grade;
    },
  };
}
