import type { JsonSchema, ToolContext, ToolResult } from '../kinds';
import { z } from 'zod';
import { describeThrown } from '../errors';

/** An error observation the model reads instead of an exception. */
export function toolFailure(tool: string, error: string, message: string): ToolResult {
  return { ok: false, error, observation: `${tool}: ${message}` };
}

/** The JSON schema of a zod arguments schema, without the `$schema` marker. */
export function toolArgumentsSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
  // A union of argument shapes converts to a bare `anyOf`/`oneOf`; function-calling APIs need an object at the top.
  return json.type === undefined ? { type: 'object', ...json } : json;
}

/** Parses arguments; a bad call becomes a `schema` failure that lists the problems. */
export function parseToolArgs<S extends z.ZodType>(
  tool: string,
  schema: S,
  args: unknown,
): { ok: true; value: z.output<S> } | { ok: false; result: ToolResult } {
  const parsed = schema.safeParse(typeof args === 'string' ? tryJson(args) : args);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(arguments)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, result: toolFailure(tool, 'schema', `bad arguments (${problems})`) };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Runs `work` under the call's time limit and abort signal. A timeout, an abort or a thrown error becomes a
 * failure observation; `work` receives a signal that fires on either, so it can stop its own I/O.
 */
export async function guardedToolCall(
  tool: string,
  ctx: ToolContext,
  work: (signal: AbortSignal) => Promise<ToolResult>,
): Promise<ToolResult> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(new Error('aborted by caller'));
  if (ctx.signal?.aborted) return toolFailure(tool, 'aborted', 'the call was aborted before it started');
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<ToolResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      resolve(toolFailure(tool, 'timeout', `no result within ${ctx.timeoutMs} ms; try a simpler request`));
    }, ctx.timeoutMs);
  });
  const aborted = new Promise<ToolResult>((resolve) => {
    controller.signal.addEventListener('abort', () => {
      if (ctx.signal?.aborted) resolve(toolFailure(tool, 'aborted', 'the call was aborted'));
    });
  });
  try {
    return await Promise.race([
      work(controller.signal).catch((error: unknown) => toolFailure(tool, 'crash', errorMessage(error))),
      limit,
      aborted,
    ]);
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

/** The message of any thrown value; never throws (see `describeThrown`). */
export function errorMessage(error: unknown): string {
  return describeThrown(error);
}
