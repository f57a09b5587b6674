import { definePlugin, type Tool, type ToolContext, type ToolResult } from '@tirl/core';
import { pythonToolOptions, type PythonToolOptions } from './options';
import { renderOutcome } from './render';
import { LazyPool } from './sandbox/lazy-pool';
import { SandboxRefusedError } from './sandbox/python-worker-handle';

const parameters = {
  type: 'object',
  properties: {
    code: {
      type: 'string',
      description:
        'Python 3 source to run, like a notebook cell: variables persist between calls, and the value of a final expression is shown.',
    },
  },
  required: ['code'],
  additionalProperties: false,
} as const;

function parseArgs(args: unknown, maxCodeChars: number): { code: string } | { problem: string } {
  const expected = 'expected {"code": "<python source>"}';
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return { problem: `arguments must be an object; ${expected}` };
  const extra = Object.keys(args).filter((k) => k !== 'code');
  if (extra.length > 0) return { problem: `unknown argument(s) ${extra.join(', ')}; ${expected}` };
  const code = (args as { code?: unknown }).code;
  if (typeof code !== 'string') return { problem: `"code" must be a string; ${expected}` };
  if (code.length > maxCodeChars) return { problem: `"code" has ${code.length} characters; the limit is ${maxCodeChars}` };
  return { code };
}

/** The `tool/python` instance: one sandboxed interpreter per trajectory, from a warm pool. */
export class PythonTool implements Tool {
  readonly name = 'python';
  readonly description =
    'Runs Python 3 code in a sandbox (standard library only; no network, files or processes). State persists across calls of one conversation. Returns stdout, stderr, the value of the last expression, or a traceback.';
  readonly parameters = parameters;
  /** Started on first use, so creating the tool costs nothing. */
  private readonly pool = new LazyPool(() => ({
    memoryLimitMb: this.options.memoryLimitMb,
    jsHeapLimitMb: this.options.jsHeapLimitMb,
    poolSize: this.options.poolSize,
    maxSessions: this.options.maxSessions,
    startupTimeoutMs: this.options.startupTimeoutMs,
    interruptGraceMs: this.options.interruptGraceMs,
    onRelease: this.options.onRelease,
  }));

  constructor(private readonly options: PythonToolOptions) {}

  async call(args: unknown, ctx: ToolContext): Promise<ToolResult> {
    const parsed = parseArgs(args, this.options.maxCodeChars);
    if ('problem' in parsed) return { ok: false, error: 'schema', observation: `error: python: ${parsed.problem}.` };
    const timeoutMs = Math.max(1, Math.min(this.options.timeoutMs, ctx.timeoutMs || this.options.timeoutMs));
    try {
      // Loading an interpreter (~3 s, longer on a busy machine) is not the cell's time.
      if (ctx.untimed) await ctx.untimed(() => this.pool.get().prepare(ctx.trajectoryId));
      const outcome = await this.pool.get().execute(ctx.trajectoryId, {
        code: parsed.code,
        timeoutMs,
        maxOutputChars: this.options.maxOutputChars,
        signal: ctx.signal,
      });
      return renderOutcome(outcome, { timeoutMs, maxOutputChars: this.options.maxOutputChars, memoryLimitMb: this.options.memoryLimitMb });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof SandboxRefusedError) {
        return { ok: false, error: 'refused', observation: `error: python is unavailable: the sandbox could not be isolated (${message}); no code was run.` };
      }
      return { ok: false, error: 'crash', observation: `error: python could not run the code: ${message}` };
    }
  }

  release(trajectoryId: string): Promise<void> {
    return this.pool.release(trajectoryId);
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }

  /** Loads the warm pool now instead of on the first call. */
  warmUp(): Promise<void> {
    return this.pool.warmUp();
  }
}

export const pythonTool = definePlugin({
  kind: 'tool',
  name: 'python',
  summary:
    'Sandboxed Python code interpreter (Pyodide in worker threads): notebook sessions per trajectory, timeouts, memory cap, output truncation.',
  paper: {
    title: 'ToRL: Scaling Tool-Integrated RL',
    arxiv: '2503.23383',
    section: '2.1 (code interpreter as the tool; execution feedback returned as observation)',
  },
  options: pythonToolOptions,
  create: (options) => new PythonTool(options),
});
