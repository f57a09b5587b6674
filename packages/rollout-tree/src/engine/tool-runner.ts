import type { Tool, ToolContext, ToolResult } from '@tirl/core';
import type { Semaphore } from './semaphore';

/** The observation a model sees for a call that did not produce a tool result. */
export function errorResult(kind: string, message: string): ToolResult {
  return { ok: false, error: kind, observation: `Error (${kind}): ${message}` };
}

/**
 * Runs one tool call under the global concurrency limit and a per-call timeout. It never throws:
 * a crash, a malformed result or a timeout becomes an error result. On timeout the call's signal is
 * aborted and its concurrency slot freed (a tool that ignores the signal may still finish in the
 * background; its result is dropped). A call that spawns a sub-rollout gives up its slot and its
 * timeout from then on: the child is bounded by its own limits.
 */
export async function runToolCall(
  tool: Tool,
  args: unknown,
  ctx: Omit<ToolContext, 'signal' | 'timeoutMs'>,
  timeoutMs: number,
  slots: Semaphore,
): Promise<ToolResult> {
  const release = await slots.acquire();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onTimeout!: (r: ToolResult) => void;
  const timedOut = new Promise<ToolResult>((resolve) => (onTimeout = resolve));
  const arm = () => {
    timer = setTimeout(() => {
      controller.abort(new Error(`${tool.name} timed out after ${timeoutMs} ms`));
      onTimeout(errorResult('timeout', `${tool.name} did not finish within ${timeoutMs} ms.`));
    }, timeoutMs);
  };
  const spawn = ctx.spawn
    ? (request: Parameters<NonNullable<ToolContext['spawn']>>[0]) => {
        clearTimeout(timer);
        release();
        return ctx.spawn!(request);
      }
    : undefined;
  arm();
  try {
    const call = Promise.resolve()
      .then(() => tool.call(args, { ...ctx, spawn, timeoutMs, signal: controller.signal }))
      .then(checkResult, (e: unknown) => errorResult('crash', `${tool.name} failed: ${(e as Error)?.message ?? String(e)}`));
    return await Promise.race([call, timedOut]);
  } finally {
    clearTimeout(timer);
    release();
  }
}

function checkResult(r: unknown): ToolResult {
  if (typeof r !== 'object' || r === null || typeof (r as ToolResult).observation !== 'string' || typeof (r as ToolResult).ok !== 'boolean') {
    return errorResult('crash', 'the tool returned a malformed result (expected { ok, observation })');
  }
  return r as ToolResult;
}
