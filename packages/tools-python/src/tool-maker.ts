import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { definePlugin, parseOptions, type Tool, type ToolContext, type ToolResult } from '@tirl/core';
import { z } from 'zod';
import { pythonToolOptions } from './options';
import { PythonTool } from './python-tool';

/** A verified function of the library: its name, source, and the tests it passed. */
export interface MadeFunction {
  name: string;
  code: string;
  tests: string;
  /** First line of its docstring or signature, shown in the tool description. */
  summary: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const parameters = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ['make', 'use'], description: '"make": add a function to the library; "use": run code that calls library functions' },
    name: { type: 'string', description: 'make: the function name' },
    code: { type: 'string', description: 'make: the function source (standard library only); use: Python that calls library functions' },
    tests: { type: 'string', description: 'make: assert statements that verify the function' },
  },
  required: ['action', 'code'],
  additionalProperties: false,
} as const;

/** The verification cell: define the function, check it is callable under its name, run the tests. */
export function verificationCell(name: string, code: string, tests: string): string {
  return `${code}\n\nassert callable(${name}), ${JSON.stringify(`${name} is not a function`)}\n${tests}\nprint("verified")`;
}

/** The library's definitions in order, then the user's code. */
export function useCell(library: readonly MadeFunction[], code: string): string {
  return [...library.map((f) => f.code), code].join('\n\n');
}

function summaryOf(name: string, code: string): string {
  const doc = /"""([^\n"]*)/.exec(code)?.[1]?.trim();
  const sig = new RegExp(`def\\s+${name}\\s*\\(([^)]*)\\)`).exec(code)?.[1];
  return `${name}(${sig ?? ''})${doc ? `: ${doc}` : ''}`;
}

/**
 * LATM's tool making and tool using in one tool: `make` verifies a model-written Python function with its
 * unit tests in the sandbox and, when they pass, adds it to a library that lives for the whole run (and in
 * `libraryPath` when set); `use` runs code with every library function defined. The description lists the
 * library, so later rollouts see the tools made so far.
 */
export class ToolMaker implements Tool {
  readonly name = 'toolmaker';
  readonly parameters = parameters;
  private readonly library: MadeFunction[] = [];
  private readonly python: PythonTool;
  private verifications = 0;

  constructor(private readonly o: ToolMakerOptions) {
    this.python = new PythonTool(parseOptions('tool/python', pythonToolOptions, { timeoutMs: o.timeoutMs, poolSize: o.poolSize, maxSessions: o.maxSessions }));
    if (o.libraryPath && existsSync(o.libraryPath)) this.library.push(...(JSON.parse(readFileSync(o.libraryPath, 'utf8')) as MadeFunction[]));
  }

  get description(): string {
    const head = 'Makes reusable Python functions and runs code that uses them. "make" verifies a function with its tests and adds it to the library; "use" runs code with every library function defined.';
    if (!this.library.length) return `${head} The library is empty.`;
    return `${head} Library: ${this.library.map((f) => f.summary).join('; ')}.`;
  }

  functions(): readonly MadeFunction[] {
    return this.library;
  }

  async call(args: unknown, ctx: ToolContext): Promise<ToolResult> {
    const a = args as { action?: unknown; name?: unknown; code?: unknown; tests?: unknown };
    if (typeof a?.code !== 'string' || !a.code.trim()) return { ok: false, error: 'schema', observation: 'error: toolmaker: "code" must be non-empty Python source.' };
    if (a.action === 'use') return this.python.call({ code: useCell(this.library, a.code) }, ctx);
    if (a.action !== 'make') return { ok: false, error: 'schema', observation: 'error: toolmaker: "action" must be "make" or "use".' };
    return this.make(a.name, a.code, typeof a.tests === 'string' ? a.tests : '', ctx);
  }

  private async make(name: unknown, code: string, tests: string, ctx: ToolContext): Promise<ToolResult> {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) return { ok: false, error: 'schema', observation: 'error: toolmaker: "name" must be a Python identifier.' };
    if (this.library.some((f) => f.name === name)) return { ok: false, error: 'exists', observation: `error: toolmaker: the library already has ${name}; use it or pick another name.` };
    if (this.library.length >= this.o.maxFunctions) return { ok: false, error: 'full', observation: `error: toolmaker: the library is full (${this.o.maxFunctions} functions).` };
    if (this.o.requireTests && !tests.trim()) return { ok: false, error: 'schema', observation: 'error: toolmaker: give "tests" (assert statements) that verify the function.' };
    const id = `toolmaker-verify-${this.verifications++}`;
    try {
      const res = await this.python.call({ code: verificationCell(name, code, tests) }, { ...ctx, trajectoryId: id, rootId: id });
      if (!res.ok || !/verified/.test(res.observation)) {
        return { ok: false, error: 'verification', observation: `Failed to verify the function due to the error: ${res.observation}\nPlease fix it and try again.` };
      }
    } finally {
      await this.python.release(id);
    }
    this.library.push({ name, code, tests, summary: summaryOf(name, code) });
    if (this.o.libraryPath) {
      writeFileSync(`${this.o.libraryPath}.tmp`, JSON.stringify(this.library, null, 1));
      renameSync(`${this.o.libraryPath}.tmp`, this.o.libraryPath);
    }
    return { ok: true, observation: `${name} passed its tests and is in the library; call it with action "use".` };
  }

  release(trajectoryId: string): Promise<void> {
    return this.python.release(trajectoryId);
  }

  dispose(): Promise<void> {
    return this.python.dispose();
  }
}

const toolMakerOptions = z
  .object({
    /** Functions the library holds at most. */
    maxFunctions: z.number().int().min(1).max(1000).default(50),
    /** A `make` call must bring tests (LATM verifies every tool before it is used). */
    requireTests: z.boolean().default(true),
    /** JSON file the library is kept in (loaded at start, rewritten atomically after each new function). */
    libraryPath: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    poolSize: z.number().int().min(0).max(16).default(1),
    maxSessions: z.number().int().min(1).max(256).default(8),
  })
  .strict()
  .refine((o) => o.poolSize <= o.maxSessions, { path: ['poolSize'], message: 'must not exceed maxSessions' });

export type ToolMakerOptions = z.output<typeof toolMakerOptions>;

export const toolMaker = definePlugin({
  kind: 'tool',
  name: 'toolmaker',
  summary: 'LATM tool making and using: the model writes a Python function with tests, the sandbox verifies it into a per-run library, later calls use it',
  paper: {
    title: 'Large Language Models as Tool Makers',
    arxiv: '2305.17126',
    section: '3 (tool proposing, verification with unit tests, wrapping; tool using by later calls)',
  },
  options: toolMakerOptions,
  create: (o) => new ToolMaker(o),
});
