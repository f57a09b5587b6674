/** One request to an OpenAI-compatible `POST …/chat/completions` endpoint. */
export interface ChatEndpointRequest {
  /** The full endpoint URL (`http://127.0.0.1:8000/v1/chat/completions`). */
  url: string;
  model: string;
  prompt: string;
  /** Sent as `authorization: Bearer <key>` when set. */
  apiKey?: string;
  timeoutMs: number;
  /** Further tries after a timeout, a network error, HTTP 429 or 5xx. */
  retries: number;
  /** Wait before retry k (1-based): `retryDelayMs · 2^(k−1)`; 0 retries at once. */
  retryDelayMs?: number;
  temperature: number;
  maxTokens: number;
  /** Strings that end the reply (sent as `stop`; an empty list sends nothing). */
  stop?: string[];
}

/** `{baseUrl}/v1/chat/completions` for a server's base URL (trailing slashes dropped). */
export function chatCompletionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

/**
 * The reply text of one user message sent to an OpenAI-compatible chat endpoint, with a timeout per try and
 * retries on transient failures. Throws, naming the endpoint and the last failure, after the last try. The
 * one client that every judge of tirl (LLM-judge rewards, MATPO's accuracy judge, FAPO's flaw checker) uses.
 */
export async function chatCompletion(req: ChatEndpointRequest): Promise<string> {
  let lastError = '';
  for (let attempt = 0; attempt <= req.retries; attempt++) {
    if (attempt > 0 && req.retryDelayMs) await new Promise((r) => setTimeout(r, req.retryDelayMs! * 2 ** (attempt - 1)));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), req.timeoutMs);
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}) },
        body: JSON.stringify({ model: req.model, messages: [{ role: 'user', content: req.prompt }], max_tokens: req.maxTokens, temperature: req.temperature, ...(req.stop?.length ? { stop: req.stop } : {}) }),
        signal: controller.signal,
      });
      if (!res.ok) {
        lastError = `HTTP ${res.status}`;
        if (RETRYABLE(res.status)) continue;
        break;
      }
      const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
      const content = body.choices?.[0]?.message?.content;
      if (typeof content === 'string') return content;
      lastError = 'the reply has no choices[0].message.content';
      break;
    } catch (e) {
      lastError = controller.signal.aborted ? `timed out after ${req.timeoutMs} ms` : e instanceof Error ? e.message : String(e);
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error(`judge ${req.url} failed after ${req.retries + 1} tries: ${lastError}`);
}
