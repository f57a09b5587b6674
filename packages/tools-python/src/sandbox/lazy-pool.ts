import { PythonPool, type PoolConfig } from './python-pool';

/**
 * A tool's interpreter pool, started on first use so that creating the tool costs nothing: the lifecycle
 * (`release`, `dispose`, `warmUp`) every Python-running tool shares.
 */
export class LazyPool {
  private pool?: PythonPool;

  constructor(private readonly config: () => PoolConfig) {}

  get(): PythonPool {
    this.pool ??= new PythonPool(this.config());
    return this.pool;
  }

  release(trajectoryId: string): Promise<void> {
    return this.pool?.release(trajectoryId) ?? Promise.resolve();
  }

  async dispose(): Promise<void> {
    await this.pool?.dispose();
    this.pool = undefined;
  }

  /** Loads the warm pool now instead of on the first call. */
  warmUp(): Promise<void> {
    return this.get().warmUp();
  }
}
