export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; each further retry waits `factor` times longer. */
  backoffMs: number;
  factor: number;
  /** Limit of one attempt. */
  attemptTimeoutMs: number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** Status codes worth another attempt: the server may answer later. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * GETs `url` and parses JSON. Network errors, attempt timeouts and retryable statuses are retried with
 * exponential backoff; other 4xx statuses and unparsable bodies fail at once; `signal` stops everything.
 */
export async function fetchJsonWithRetry(
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
  policy: RetryPolicy,
): Promise<{ body: unknown; attempts: number }> {
  let lastError = 'no attempt made';
  let lastStatus: number | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0) await sleep(policy.backoffMs * policy.factor ** (attempt - 1), init.signal);
    if (init.signal.aborted) break;
    let response: Response;
    try {
      const signal = AbortSignal.any([init.signal, AbortSignal.timeout(policy.attemptTimeoutMs)]);
      response = await fetch(url, { headers: { accept: 'application/json', ...init.headers }, signal });
    } catch (error) {
      lastStatus = undefined;
      lastError = init.signal.aborted ? 'aborted' : describeFetchError(error, policy.attemptTimeoutMs);
      continue;
    }
    if (!response.ok) {
      lastStatus = response.status;
      lastError = `HTTP ${response.status} ${response.statusText}`.trim();
      await response.body?.cancel();
      if (RETRYABLE.has(response.status)) continue;
      throw new HttpError(lastError, response.status, attempt + 1);
    }
    const text = await response.text();
    try {
      return { body: JSON.parse(text), attempts: attempt + 1 };
    } catch {
      throw new HttpError(`the response is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`, response.status, attempt + 1);
    }
  }
  throw new HttpError(`${lastError} after ${policy.retries + 1} attempt(s)`, lastStatus, policy.retries + 1);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
