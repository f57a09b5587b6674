import { describeThrown, type Tool, type ToolContext, type ToolResult } from '@tirl/core';
import type { Semaphore } from './semaphore';

/** The observation a model sees for a call that did not produce a tool result. */
export function errorResult(kind: string, message: string): ToolResult {
  return { ok: false, error: kind, observation: `Error (${kind}): ${message}` };
}

/**
 * Runs one tool call under the global concurrency limit and a per-call timeout. It never throws:
 * a crash (whatever value is thrown), a malformed result or a timeout becomes an error result. On timeout the call's signal is
 * aborted and its concurrency slot freed (a tool that ignores the signal may still finish in the
 * background; its result is dropped). A call that spawns a sub-rollout gives up its slot and its
 * timeout from then on: the child is bounded by its own limits. Work a tool runs through `ctx.untimed`
 * (start-up) stops the timer, which restarts in full after it.
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
  /** False once the call has finished or spawned a sub-rollout: the timer stays off. */
  let timed = true;
  const timedOut = new Promise<ToolResult>((resolve) => (onTimeout = resolve));
  const arm = () => {
    timer = setTimeout(() => {
      controller.abort(new Error(`${tool.name} timed out after ${timeoutMs} ms`));
      onTimeout(errorResult('timeout', `${tool.name} did not finish within ${timeoutMs} ms.`));
    }, timeoutMs);
  };
  const spawn = ctx.spawn
    ? (request: Parameters<NonNullable<ToolContext['spawn']>>[0]) => {
        timed = false;
        clearTimeout(timer);
        release();
        return ctx.spawn!(request);
      }
    : undefined;
  const untimed = async <T>(work: () => Promise<T>): Promise<T> => {
    clearTimeout(timer);
    try {
      return await work();
    } finally {
      if (timed && !controller.signal.aborted) arm();
    }
  };
  arm();
  try {
    const call = Promise.resolve()
      .then(() => tool.call(args, { ...ctx, spawn, untimed, timeoutMs, signal: controller.signal }))
      .then(checkResult, (e: unknown) => errorResult('crash', `${tool.name} failed: ${describeThrown(e)}`));
    return await Promise.race([call, timedOut]);
  } finally {
    timed = false;
    clearTimeout(timer);
    release();
  }
}

/**
 * The tool's result as a plain object, each field read once: a result with throwing getters or wrong
 * field types is malformed (never an exception escaping into the batch).
 */
function checkResult(r: unknown): ToolResult {
  try {
    if (typeof r !== 'object' || r === null) return malformed();
    const { ok, observation, error, cost, evidence, data, childId, images } = r as ToolResult;
    if (typeof observation !== 'string' || typeof ok !== 'boolean') return malformed();
    const out: ToolResult = { ok, observation };
    if (typeof error === 'string') out.error = error;
    if (typeof cost === 'number') out.cost = cost;
    if (typeof evidence === 'object' && evidence !== null) out.evidence = evidence;
    if (data !== undefined) out.data = data;
    if (typeof childId === 'string') out.childId = childId;
    if (Array.isArray(images)) out.images = images.filter((im) => im && typeof im.rgbBase64 === 'string' && Number.isInteger(im.width) && Number.isInteger(im.height));
    return out;
  } catch (e) {
    return errorResult('crash', `the tool's result could not be read: ${describeThrown(e)}`);
  }
}

function malformed(): ToolResult {
  return errorResult('crash', 'the tool returned a malformed result (expected { ok, observation })');
}
