import { type CellOutcome, PythonWorker, SandboxRefusedError, type WorkerLimits } from './python-worker-handle';

export interface PoolConfig extends WorkerLimits {
  /** Loaded interpreters kept ready for new sessions. */
  poolSize: number;
  /** Sessions (one interpreter each) alive at once; the least recently used idle one is closed past it. */
  maxSessions: number;
  /** How long a call may wait for an interpreter to load. */
  startupTimeoutMs: number;
  /** Time between the interrupt at the deadline and terminating the worker. */
  interruptGraceMs: number;
  /**
   * What `release` does with the session's interpreter: `terminate` it (default; no state can reach
   * another trajectory), or `reset` its namespace and return it to the warm pool (no ~3 s reload).
   */
  onRelease?: 'terminate' | 'reset';
}

export interface CellRequest {
  code: string;
  timeoutMs: number;
  maxOutputChars: number;
  signal?: AbortSignal;
}

/** A cell's outcome plus what the model should know about its session. */
export type SessionOutcome = CellOutcome & {
  /** Why the session started from scratch before this cell (its earlier variables are gone). */
  resetNote?: string;
};

interface Session {
  worker: PythonWorker;
  cells: number;
  busy: boolean;
  lastUsed: number;
}

/**
 * Interpreters for trajectories: each trajectory gets its own interpreter (a notebook session) for as
 * long as it lives; `release` terminates it and a fresh one replaces it in the warm pool. Nothing starts
 * before the first cell.
 */
export class PythonPool {
  private readonly warm: PythonWorker[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly notes = new Map<string, string>();
  private waiters: (() => void)[] = [];
  private refused?: string;
  private disposed = false;

  constructor(private readonly config: PoolConfig) {}

  /** Runs a cell in the trajectory's session; cells of one trajectory run one after another. */
  execute(trajectoryId: string, request: CellRequest): Promise<SessionOutcome> {
    return this.serialize(trajectoryId, () => this.runCell(trajectoryId, request));
  }

  /**
   * Opens the trajectory's session (waiting for an interpreter to load) without running a cell, so that
   * a caller can keep the load out of a cell's time limit; the caller must run its cell next. The session
   * stays reserved (busy) until that cell ends, so no other trajectory's load closes it in between.
   * No-op when the session is open.
   */
  prepare(trajectoryId: string): Promise<void> {
    return this.serialize(trajectoryId, async () => {
      if (this.disposed) throw new Error('python pool: used after dispose()');
      if (this.refused) throw new SandboxRefusedError(this.refused);
      const open = this.sessions.get(trajectoryId);
      if (open) {
        open.busy = true;
        return;
      }
      await this.openSession(trajectoryId);
    });
  }

  /** Ends the trajectory's session (after its running cell, if any). */
  release(trajectoryId: string): Promise<void> {
    this.notes.delete(trajectoryId);
    return this.serialize(trajectoryId, async () => {
      this.notes.delete(trajectoryId);
      if (this.config.onRelease === 'reset') await this.recycleSession(trajectoryId);
      else await this.closeSession(trajectoryId);
    });
  }

  /** Terminates every interpreter. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const workers = [...this.warm, ...[...this.sessions.values()].map((s) => s.worker)];
    this.warm.length = 0;
    this.sessions.clear();
    this.wake();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** Sessions alive now. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Waits until the warm pool is full (for benchmarks and tests). */
  async warmUp(): Promise<void> {
    this.refill();
    await Promise.all(this.warm.map((w) => w.ready));
  }

  private async runCell(trajectoryId: string, request: CellRequest): Promise<SessionOutcome> {
    if (this.disposed) throw new Error('python pool: used after dispose()');
    if (this.refused) throw new SandboxRefusedError(this.refused);
    const resetNote = this.notes.get(trajectoryId);
    this.notes.delete(trajectoryId);
    const session = this.sessions.get(trajectoryId) ?? (await this.openSession(trajectoryId));
    session.busy = true;
    session.cells += 1;
    let outcome: CellOutcome;
    try {
      outcome = await session.worker.run(request.code, session.cells, {
        timeoutMs: request.timeoutMs,
        graceMs: this.config.interruptGraceMs,
        maxOutputChars: request.maxOutputChars,
        signal: request.signal,
      });
    } finally {
      session.busy = false;
      session.lastUsed = Date.now();
    }
    const lost =
      outcome.kind === 'crash' ||
      (outcome.kind === 'timeout' && outcome.stateLost) ||
      (outcome.kind === 'done' && outcome.reply.fatal);
    if (lost) {
      await this.closeSession(trajectoryId);
      this.notes.set(trajectoryId, 'the interpreter was restarted after the previous cell (timeout or crash)');
    }
    this.wake();
    return resetNote ? { ...outcome, resetNote } : outcome;
  }

  private async openSession(trajectoryId: string): Promise<Session> {
    let recycled: PythonWorker | undefined;
    while (this.sessions.size >= this.config.maxSessions) {
      // A concurrent open took the room freed for this one: keep the interpreter recycled so far warm.
      if (recycled) this.warm.unshift(recycled);
      recycled = undefined;
      const victim = this.leastRecentlyUsedIdle();
      if (victim) {
        if (this.config.onRelease === 'reset') recycled = await this.detachReset(victim);
        else await this.closeSession(victim);
        this.notes.set(
          victim,
          `the session was closed to make room for other trajectories (maxSessions=${this.config.maxSessions})`,
        );
      } else {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        if (this.disposed) throw new Error('python pool: disposed while waiting for a session');
      }
    }
    const worker = recycled ?? this.warm.shift() ?? this.spawn();
    const session: Session = { worker, cells: 0, busy: true, lastUsed: Date.now() };
    this.sessions.set(trajectoryId, session);
    this.refill();
    try {
      await withTimeout(worker.ready, this.config.startupTimeoutMs, 'loading the Python interpreter');
    } catch (e) {
      this.sessions.delete(trajectoryId);
      void worker.terminate();
      if (e instanceof SandboxRefusedError) this.refused = e.message;
      this.wake();
      throw e;
    }
    return session;
  }

  private leastRecentlyUsedIdle(): string | undefined {
    let best: [string, number] | undefined;
    for (const [id, s] of this.sessions) if (!s.busy && (!best || s.lastUsed < best[1])) best = [id, s.lastUsed];
    return best?.[0];
  }

  private async closeSession(trajectoryId: string): Promise<void> {
    const session = this.sessions.get(trajectoryId);
    if (!session) return;
    this.sessions.delete(trajectoryId);
    this.refill();
    this.wake();
    await session.worker.terminate();
  }

  /** Resets the session's namespace and keeps its interpreter warm for the next trajectories. */
  private async recycleSession(trajectoryId: string): Promise<void> {
    const worker = await this.detachReset(trajectoryId);
    // A recycled interpreter is ready now, so it goes first; up to maxSessions of them stay warm.
    if (worker && !this.disposed && this.warm.length + this.sessions.size < this.config.maxSessions) this.warm.unshift(worker);
    else await worker?.terminate();
    this.refill();
    this.wake();
  }

  /** Ends the session and returns its interpreter with a fresh namespace, or undefined when it is not reusable. */
  private async detachReset(trajectoryId: string): Promise<PythonWorker | undefined> {
    const session = this.sessions.get(trajectoryId);
    if (!session) return undefined;
    this.sessions.delete(trajectoryId);
    if (await session.worker.reset().catch(() => false)) return session.worker;
    await session.worker.terminate();
    return undefined;
  }

  private refill(): void {
    if (this.disposed || this.refused) return;
    for (let i = this.warm.length - 1; i >= 0; i--) if (!this.warm[i].alive) this.warm.splice(i, 1);
    const room = this.config.maxSessions - this.sessions.size;
    while (this.warm.length < Math.min(this.config.poolSize, room)) this.warm.push(this.spawn());
  }

  private spawn(): PythonWorker {
    return new PythonWorker({ memoryLimitMb: this.config.memoryLimitMb, jsHeapLimitMb: this.config.jsHeapLimitMb });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
