import { hostname } from 'node:os';
import { createExperiment, Rng, Tokens, type AnyPluginDefinition, type Experiment, type PackageSource, type PolicyGenerator, type Tokenizer } from '@tirl/core';
import { Policy, type CausalLM } from '@tirl/policy';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type Log } from './connection';
import { buildModel, buildTokenizer, checkManifest, type RunManifest } from './manifest';
import { firstIssue, jobMessageSchema, PROTOCOL, type ResultMessage } from './messages';
import { parseQueueUrl, runKeys } from './url';
import { VersionGate } from './version-gate';
import { applyWeights, type WeightStore } from './weights';
import { openWeightStore } from './open-weight-store';

export interface WorkerOptions {
  url: string;
  runId?: string;
  /** Rollouts in flight on this worker (default 4). */
  concurrency?: number;
  /** Extra plugin definitions (the host's own tools and tasks); installed packages are found by the recipe. */
  plugins?: readonly AnyPluginDefinition[];
  /** Where the recipe's plugin packages are found (default: the installed packages with a manifest). */
  packages?: PackageSource;
  /**
   * The generator rollouts use, built from the worker's model (weights switch underneath it) and tokenizer;
   * default: the model itself. Hosts pass an inference-server client here, benchmarks a scripted policy.
   */
  policy?: (model: CausalLM, tokenizer: Tokenizer) => PolicyGenerator;
  /** Overrides the run's tokenizer (hosts whose tokenizer cannot be saved). */
  tokenizer?: Tokenizer;
  /** BullMQ lock of a job; a worker silent this long has its jobs handed to others (default 30000). */
  lockMs?: number;
  /** How often this worker looks for stalled jobs of dead workers (default 30000). */
  stalledCheckMs?: number;
  /** A job whose worker dies this many times fails instead of being handed on again (default 10). */
  maxStalledCount?: number;
  /** Worker name in status and metrics (default host-pid). */
  name?: string;
  log?: Log;
}

export interface WorkerStats {
  id: string;
  host: string;
  pid: number;
  version: number;
  jobs: number;
  trajectories: number;
  busySeconds: number;
  startedAt: number;
  lastSeen: number;
}

/**
 * A rollout worker: reads the run's manifest, builds the model and the recipe's rollout stack (tools keep
 * their sandboxes and limits here), takes jobs from BullMQ, switches to the newest policy version between
 * rollouts and returns trees with the version that produced them. A message it cannot read goes to the
 * dead-letter list and fails without retries; the process carries on.
 */
export class RolloutWorker {
  private readonly gate = new VersionGate();
  private heartbeat?: NodeJS.Timeout;
  private queueConnection?: Redis;
  readonly stats: WorkerStats;

  private constructor(
    private readonly o: WorkerOptions & { runId: string; log: Log },
    private readonly redis: Redis,
    private readonly manifest: RunManifest,
    private readonly model: CausalLM,
    private readonly exp: Experiment,
    private readonly policy: PolicyGenerator,
    private readonly store: WeightStore,
    private worker?: Worker,
  ) {
    this.stats = { id: o.name ?? `${hostname()}-${process.pid}`, host: hostname(), pid: process.pid, version: -1, jobs: 0, trajectories: 0, busySeconds: 0, startedAt: Date.now(), lastSeen: Date.now() };
  }

  static async start(options: WorkerOptions): Promise<RolloutWorker> {
    const o = { ...options, runId: options.runId ?? 'default', log: options.log ?? ((l: string) => console.log(l)) };
    const address = parseQueueUrl(o.url);
    const keys = runKeys(o.runId);
    const redis = connectRedis(address, 'worker', o.log);
    const manifest = checkManifest(await redis.get(keys.manifest), o.runId, address.display);
    const store = openWeightStore(manifest.weightStore, o.runId, redis);
    const model = buildModel(manifest, await store.get(0));
    const tokenizer = o.tokenizer ?? (await buildTokenizer(manifest.tokenizer));
    const exp = createExperiment(manifest.recipe, { plugins: o.plugins, packages: o.packages, services: [[Tokens.tokenizer, tokenizer]] });
    const policy = o.policy ? o.policy(model, tokenizer) : new Policy(model, tokenizer, manifest.maxContext ? { maxContext: manifest.maxContext } : {});
    const w = new RolloutWorker(o, redis, manifest, model, exp, policy, store);
    w.gate.loaded = 0;
    w.queueConnection = connectRedis(address, 'worker queue', o.log);
    w.worker = new Worker(keys.queue, (job) => w.process(job), {
      connection: w.queueConnection,
      prefix: keys.prefix,
      concurrency: o.concurrency ?? 4,
      lockDuration: o.lockMs ?? 30000,
      stalledInterval: o.stalledCheckMs ?? 30000,
      maxStalledCount: o.maxStalledCount ?? 10,
    });
    w.worker.on('error', () => undefined); // connection errors are reported by the connection itself
    w.heartbeat = setInterval(() => void w.beat(), 1000);
    await w.beat();
    o.log(`worker ${w.stats.id}: serving run "${o.runId}" at ${address.display} (concurrency ${o.concurrency ?? 4})`);
    return w;
  }

  private async beat(): Promise<void> {
    this.stats.lastSeen = Date.now();
    this.stats.version = this.gate.loaded;
    await this.redis.hset(runKeys(this.o.runId).workers, this.stats.id, JSON.stringify(this.stats)).catch(() => undefined);
  }

  private async process(job: Job): Promise<ResultMessage> {
    const parsed = jobMessageSchema.safeParse(job.data);
    const reason = !parsed.success
      ? `malformed job: ${firstIssue(parsed.error)}`
      : parsed.data.runId !== this.o.runId
        ? `job of run "${parsed.data.runId}" in the queue of run "${this.o.runId}"`
        : job.name !== 'rollout'
          ? `unknown job name "${job.name}" (expected "rollout")`
          : undefined;
    if (reason) {
      const entry = { at: new Date().toISOString(), by: `worker ${this.stats.id}`, jobId: job.id, reason, payload: job.data };
      await this.redis.lpush(runKeys(this.o.runId).deadLetter, JSON.stringify(entry));
      this.o.log(`worker ${this.stats.id}: job ${job.id} → dead-letter list: ${reason}`);
      throw new UnrecoverableError(reason);
    }
    const msg = parsed.data!;
    let loadSeconds = 0;
    const version = await this.gate.enter(
      msg.minVersion,
      () => this.store.latest(),
      async (v) => {
        const t0 = performance.now();
        applyWeights(this.model.namedWeights(), await this.store.get(v), v);
        loadSeconds = (performance.now() - t0) / 1000;
      },
    );
    const t0 = performance.now();
    try {
      const out = await this.exp.get('rollout').rollout({
        samples: msg.samples as never,
        policy: this.policy,
        tools: this.exp.getAll('tool'),
        toolFormat: this.exp.get('toolFormat'),
        memory: this.exp.maybe('memory'),
        router: this.exp.maybe('router'),
        decode: msg.decode as never,
        limits: msg.limits as never,
        rng: new Rng(msg.rng),
        step: msg.step,
      });
      const rolloutSeconds = (performance.now() - t0) / 1000;
      this.stats.jobs += 1;
      this.stats.busySeconds += rolloutSeconds;
      for (const tree of out.trees) {
        for (const t of tree.trajectories) t.meta = { ...t.meta, policyVersion: version, worker: this.stats.id };
        this.stats.trajectories += tree.trajectories.length;
      }
      return {
        protocol: PROTOCOL,
        runId: this.o.runId,
        jobId: msg.jobId,
        worker: this.stats.id,
        policyVersion: version,
        trees: JSON.parse(JSON.stringify(out.trees)) as ResultMessage['trees'],
        metrics: out.metrics ?? {},
        rolloutSeconds,
        weightLoadSeconds: loadSeconds,
      };
    } finally {
      this.gate.leave();
    }
  }

  /** Stops taking jobs, lets running ones finish, and unregisters. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.worker?.close();
    await this.redis.hdel(runKeys(this.o.runId).workers, this.stats.id).catch(() => undefined);
    this.redis.disconnect();
    this.queueConnection?.disconnect();
    await this.exp.dispose();
    this.model.dispose();
  }

  get runManifest(): RunManifest {
    return this.manifest;
  }
}
