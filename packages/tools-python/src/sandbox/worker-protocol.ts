/** Messages between the pool and `python-worker.js`. */

export interface RunRequest {
  type: 'run';
  id: number;
  code: string;
  /** Cell number, shown in tracebacks as `<cell N>`. */
  cell: number;
  maxOutputChars: number;
}

export interface CellError {
  /** Python exception class name (`ZeroDivisionError`), or `SandboxViolation`. */
  type: string;
  /** Compact traceback: the cell's own frames and the exception line. */
  traceback: string;
}

export interface RunReply {
  type: 'result';
  id: number;
  stdout: string;
  stdoutDroppedBytes: number;
  stderr: string;
  stderrDroppedBytes: number;
  /** `repr()` of the cell's trailing expression, when it is not None. */
  value: string | null;
  valueDropped: number;
  error: CellError | null;
  elapsedMs: number;
  /** Size of the interpreter's wasm memory after the cell. */
  memoryBytes: number;
  /** The interpreter hit a fatal error (a blocked host call): the worker must be replaced. */
  fatal: boolean;
}

/** Asks the worker to forget the session's namespace so the interpreter can serve another trajectory. */
export interface ResetRequest {
  type: 'reset';
  id: number;
}

export type WorkerMessage =
  | { type: 'ready'; loadMs: number; memoryBytes: number }
  | { type: 'refused'; reason: string }
  | RunReply
  /** `ok` is false when the interpreter is no longer usable (after a fatal error). */
  | { type: 'reset'; id: number; ok: boolean };
