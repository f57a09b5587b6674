/** One call to an OpenAI-compatible `/chat/completions` endpoint with a timeout and retries. */
export interface ChatRequest {
  url: string;
  model: string;
  prompt: string;
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  temperature: number;
  maxTokens: number;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

/** The reply text; throws a message naming the endpoint after the last failed try. */
export async function chatOnce(req: ChatRequest): Promise<string> {
  let lastError = '';
  for (let attempt = 0; attempt <= req.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, req.retryDelayMs * 2 ** (attempt - 1)));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), req.timeoutMs);
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}) },
        body: JSON.stringify({
          model: req.model,
          messages: [{ role: 'user', content: req.prompt }],
          temperature: req.temperature,
          max_tokens: req.maxTokens,
        }),
        signal: controller.signal,
      });
      if (!res.ok) {
        lastError = `HTTP ${res.status}`;
        if (RETRYABLE(res.status)) continue;
        break;
      }
      const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
      const content = body.choices?.[0]?.message?.content;
      if (typeof content !== 'string') {
        lastError = 'reply has no choices[0].message.content';
        break;
      }
      return content;
    } catch (e) {
      lastError = controller.signal.aborted ? `timed out after ${req.timeoutMs} ms` : e instanceof Error ? e.message : String(e);
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error(`reward/llm-judge: ${req.url} failed after ${req.retries + 1} tries: ${lastError}`);
}
