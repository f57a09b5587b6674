import { z } from 'zod';

/** Options of `tool/python`. */
export const pythonToolOptions = z
  .object({
    /** Wall-clock limit of one cell; the call context's `timeoutMs` lowers it further. */
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Characters kept of each of stdout, stderr, the result value and the traceback. */
    maxOutputChars: z.number().int().min(200).max(1_000_000).default(4_000),
    /** Longest accepted `code` argument. */
    maxCodeChars: z.number().int().min(1).max(1_000_000).default(50_000),
    /** Cap on each interpreter's wasm memory; Python raises MemoryError past it. Pyodide itself uses ~30 MB. */
    memoryLimitMb: z.number().int().min(64).max(4_096).default(512),
    /** Cap on each worker's JavaScript heap (V8 old generation). */
    jsHeapLimitMb: z.number().int().min(64).max(8_192).default(256),
    /** Interpreters loaded ahead of time (~3 s each), so a new trajectory does not wait for one. */
    poolSize: z.number().int().min(0).max(64).default(2),
    /** Trajectories with a live session at once; past it the least recently used idle session is closed. */
    maxSessions: z.number().int().min(1).max(256).default(8),
    /** How long a call waits for an interpreter to load before it fails. */
    startupTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
    /** After the deadline's KeyboardInterrupt, how long a cell may take to stop before its worker is killed. */
    interruptGraceMs: z.number().int().min(0).max(60_000).default(2_000),
    /**
     * `terminate`: a released trajectory's interpreter is ended and a fresh one loaded (~3 s). `reset`:
     * its variables are cleared and the interpreter serves the next trajectory; faster, but interpreter-level
     * state a cell changed (imported modules, patched builtins, `sys` settings) carries over.
     */
    onRelease: z.enum(['terminate', 'reset']).default('terminate'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.poolSize > o.maxSessions) {
      ctx.addIssue({
        code: 'custom',
        path: ['poolSize'],
        message: `poolSize (${o.poolSize}) must not exceed maxSessions (${o.maxSessions}): a warm interpreter beyond it can never be used; lower poolSize or raise maxSessions`,
      });
    }
  });

export type PythonToolOptions = z.output<typeof pythonToolOptions>;
