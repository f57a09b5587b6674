import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResetRequest, RunReply, RunRequest, WorkerMessage } from './worker-protocol';

/** Limits that apply to one interpreter for its whole life. */
export interface WorkerLimits {
  /** Cap on the interpreter's wasm memory. */
  memoryLimitMb: number;
  /** V8 old-generation cap of the worker's JavaScript heap (Worker `resourceLimits`). */
  jsHeapLimitMb: number;
}

/** How one cell ended. */
export type CellOutcome =
  | { kind: 'done'; reply: RunReply }
  /** Past the deadline. `reply` is set when the interrupt stopped the cell and the session survived. */
  | { kind: 'timeout'; reply?: RunReply; stateLost: boolean; aborted: boolean }
  | { kind: 'crash'; message: string };

/** The sandbox could not be set up with all its protections: nothing may run. */
export class SandboxRefusedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SandboxRefusedError';
  }
}

const SIGINT = 2;
/** How often an unanswered interrupt is raised again during the grace period. */
const REINTERRUPT_MS = 100;
const pyodideDir = path.dirname(require.resolve('pyodide/package.json'));
const workerScript = path.join(__dirname, 'python-worker.js');
const runnerPath = path.join(__dirname, 'runner.py');

/** One Pyodide interpreter in its own worker thread. */
export class PythonWorker {
  /** Resolves once Pyodide is loaded and locked down; rejects with `SandboxRefusedError`. */
  readonly ready: Promise<{ loadMs: number }>;
  private readonly worker: Worker;
  private readonly interrupt = new Int32Array(new SharedArrayBuffer(4));
  private pending?: { id: number; settle: (reply: RunReply | Error) => void };
  private pendingReset?: { id: number; settle: (ok: boolean) => void };
  private nextId = 1;
  private exited = false;
  private lastOutput = '';

  constructor(limits: WorkerLimits) {
    this.worker = new Worker(workerScript, {
      workerData: { pyodideDir, runnerPath, memoryLimitMb: limits.memoryLimitMb, interruptBuffer: this.interrupt.buffer },
      env: {},
      argv: [],
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: limits.jsHeapLimitMb },
    });
    // Keep the tail of anything the worker prints (Pyodide reports fatal errors there) for crash messages.
    const keep = (chunk: Buffer) => (this.lastOutput = (this.lastOutput + chunk.toString()).slice(-2000));
    this.worker.stdout.on('data', keep);
    this.worker.stderr.on('data', keep);
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: WorkerMessage) => {
        if (msg.type === 'ready') resolve({ loadMs: msg.loadMs });
        else if (msg.type === 'refused') reject(new SandboxRefusedError(msg.reason));
        else if (msg.type === 'result' && this.pending?.id === msg.id) this.pending.settle(msg);
        else if (msg.type === 'reset' && this.pendingReset?.id === msg.id) this.pendingReset.settle(msg.ok);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', (e) => this.onExit(`worker error: ${e.message}`, reject));
      this.worker.on('exit', (code) => this.onExit(`worker exited with code ${code}`, reject));
    });
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Runs one cell. At the deadline the interpreter is interrupted (KeyboardInterrupt); if the cell has
   * not returned `graceMs` later, the worker is terminated.
   */
  async run(code: string, cell: number, opts: { timeoutMs: number; graceMs: number; maxOutputChars: number; signal?: AbortSignal }): Promise<CellOutcome> {
    await this.ready;
    if (this.exited) return { kind: 'crash', message: 'the interpreter is gone' };
    if (this.pending) throw new Error('PythonWorker.run: a cell is already running in this worker');
    const id = this.nextId++;
    const request: RunRequest = { type: 'run', id, code, cell, maxOutputChars: opts.maxOutputChars };
    let overdue = false;
    let aborted = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let reinterrupt: NodeJS.Timeout | undefined;
    const reply = new Promise<RunReply | Error>((resolve) => (this.pending = { id, settle: resolve }));
    const expire = () => {
      if (overdue) return;
      overdue = true;
      Atomics.store(this.interrupt, 0, SIGINT);
      // Pyodide consumes the flag even where the KeyboardInterrupt it raises is lost (seen when it lands
      // in the interpreter's own work around the cell), so the flag is raised again until the cell stops.
      reinterrupt = setInterval(() => Atomics.store(this.interrupt, 0, SIGINT), REINTERRUPT_MS);
      graceTimer = setTimeout(() => void this.terminate(), opts.graceMs);
    };
    const deadline = setTimeout(expire, opts.timeoutMs);
    const abort = () => {
      aborted = !overdue;
      expire();
    };
    opts.signal?.addEventListener('abort', abort, { once: true });
    Atomics.store(this.interrupt, 0, 0);
    this.worker.postMessage(request);
    const settled = await reply;
    clearTimeout(deadline);
    clearTimeout(graceTimer);
    clearInterval(reinterrupt);
    opts.signal?.removeEventListener('abort', abort);
    this.pending = undefined;
    if (settled instanceof Error) {
      return overdue ? { kind: 'timeout', stateLost: true, aborted } : { kind: 'crash', message: settled.message };
    }
    if (overdue) return { kind: 'timeout', reply: settled, stateLost: settled.fatal, aborted };
    return { kind: 'done', reply: settled };
  }

  /**
   * Forgets the session's variables so the interpreter can serve another trajectory; false when the
   * interpreter is gone or no longer usable (the caller should terminate it).
   */
  async reset(): Promise<boolean> {
    await this.ready;
    if (this.exited || this.pending || this.pendingReset) return false;
    const id = this.nextId++;
    const done = new Promise<boolean>((resolve) => (this.pendingReset = { id, settle: resolve }));
    Atomics.store(this.interrupt, 0, 0);
    this.worker.postMessage({ type: 'reset', id } satisfies ResetRequest);
    const ok = await done;
    this.pendingReset = undefined;
    return ok && !this.exited;
  }

  async terminate(): Promise<void> {
    if (this.exited) return;
    await this.worker.terminate();
  }

  private onExit(message: string, rejectReady: (e: Error) => void): void {
    if (this.exited) return;
    this.exited = true;
    const detail = this.lastOutput.trim() ? `${message}: ${this.lastOutput.trim().split('\n').slice(-3).join(' | ')}` : message;
    rejectReady(new Error(detail));
    this.pending?.settle(new Error(detail));
    this.pendingReset?.settle(false);
  }
}
