import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ModelConfig, type CausalLM } from '@tirl/policy';
import { TirlError, type ResolvedRecipe, type RolloutOutput, type Rng, type Sample, type Tokenizer } from '@tirl/core';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type Log } from './connection';
import { describeTokenizer, type RunManifest } from './manifest';
import { firstIssue, PROTOCOL, resultMessageSchema, type JobMessage, type ResultMessage } from './messages';
import { parseQueueUrl, runKeys } from './url';
import { encodeWeights, weightStoreSpec, type PublishMode, type WeightStore } from './weights';
import { openWeightStore } from './open-weight-store';

/** The job the trainer hands over (structurally the trainer's `RolloutJob`). */
export interface LearnerJob {
  id: string;
  step: number;
  round: number;
  samples: { sample: Sample; rollouts: number }[];
  decode: object;
  limits: object;
  rng: Rng;
  minVersion: number;
}

export interface LearnerOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** Namespaces every key of the run (default `default`). */
  runId?: string;
  recipe: ResolvedRecipe;
  model: CausalLM;
  tokenizer: Tokenizer;
  maxContext?: number;
  /** `full` (default) or `trainable`: publish only trainable weights after version 0 (adapter training). */
  publish?: PublishMode;
  /** A directory every machine mounts, for weights too large for Redis (default: Redis). */
  weightDir?: string;
  /** The version the model's weights are now (a resumed learner's step). */
  version?: number;
  /** Attempts per job before the run fails (a crashing rollout); stalled jobs are retried separately. */
  attempts?: number;
  /** Seconds between "still waiting" lines while results are outstanding. */
  waitReportSeconds?: number;
  /** Appends one JSON line per accepted result (`jobId`, `step`, `worker`, `policyVersion`, `pid`): an audit of what was trained. */
  journal?: string;
  log?: Log;
}

interface Waiter {
  job: LearnerJob;
  resolve: (out: RolloutOutput) => void;
  reject: (e: Error) => void;
  since: number;
}

/**
 * The learner's side of the queue, a rollout source for the trainer: publishes jobs to BullMQ with their
 * ids as BullMQ job ids (so a resumed learner finds finished ones instead of rolling them out again),
 * publishes each policy version to the weight store, and hands back each job's trees once: a second
 * delivery of a job id is dropped and counted; a malformed result goes to the dead-letter list and the
 * job is published again under a retry id.
 */
export class QueueLearner {
  private readonly keys: ReturnType<typeof runKeys>;
  private readonly waiters = new Map<string, Waiter>();
  private readonly delivered = new Set<string>();
  private readonly counters = { received: 0, duplicates: 0, deadLetters: 0, republished: 0 };
  private readonly perWorker = new Map<string, { trajectories: number; seconds: number }>();
  private readonly weightLoads: number[] = [];
  private publishSeconds = 0;
  private sweepTimer?: NodeJS.Timeout;
  private lastReport = Date.now();
  private retries = new Map<string, number>();
  /** Connections handed to BullMQ, which leaves them open on close. */
  private readonly connections: Redis[] = [];

  private constructor(
    private readonly o: LearnerOptions & { runId: string; log: Log },
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly store: WeightStore,
  ) {
    this.keys = runKeys(o.runId);
  }

  static async connect(options: LearnerOptions): Promise<QueueLearner> {
    const o = { ...options, runId: options.runId ?? 'default', log: options.log ?? ((l: string) => console.log(l)) };
    const address = parseQueueUrl(o.url);
    const keys = runKeys(o.runId);
    const redis = connectRedis(address, 'learner', o.log);
    const queueConnection = connectRedis(address, 'learner queue', o.log);
    const eventsConnection = connectRedis(address, 'learner events', o.log);
    const queue = new Queue(keys.queue, { connection: queueConnection, prefix: keys.prefix });
    const events = new QueueEvents(keys.queue, { connection: eventsConnection, prefix: keys.prefix });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const store = openWeightStore(weightStoreSpec(o.weightDir), o.runId, redis);
    const learner = new QueueLearner(o, redis, queue, events, store);
    learner.connections.push(queueConnection, eventsConnection);
    await learner.writeManifest();
    await learner.publishWeights(o.version ?? 0, 'full');
    events.on('completed', ({ jobId, returnvalue }) => void learner.onCompleted(jobId, returnvalue));
    events.on('failed', ({ jobId }) => void learner.sweepOne(jobId));
    learner.sweepTimer = setInterval(() => void learner.sweep(), 1000);
    o.log(`learner: run "${o.runId}" on ${address.display}, policy version ${o.version ?? 0} published`);
    return learner;
  }

  private async writeManifest(): Promise<void> {
    const manifest: RunManifest = {
      protocol: PROTOCOL,
      runId: this.o.runId,
      recipe: this.o.recipe,
      modelConfig: ModelConfig.toHfConfig(this.o.model.config) as unknown as Record<string, unknown>,
      tokenizer: describeTokenizer(this.o.tokenizer),
      ...(this.o.maxContext ? { maxContext: this.o.maxContext } : {}),
      weightStore: weightStoreSpec(this.o.weightDir),
    };
    await this.redis.set(this.keys.manifest, JSON.stringify(manifest));
  }

  private async publishWeights(version: number, mode: PublishMode): Promise<void> {
    const t0 = performance.now();
    await this.store.put(version, encodeWeights(this.o.model.namedWeights(), mode));
    this.publishSeconds += (performance.now() - t0) / 1000;
  }

  /** Rollout source: publish the job, resolve with its trees when a worker returns them. */
  run(job: LearnerJob): Promise<RolloutOutput> {
    return new Promise<RolloutOutput>((resolve, reject) => {
      this.waiters.set(job.id, { job, resolve, reject, since: Date.now() });
      void this.enqueue(job.id, job).catch((e) => this.fail(job.id, e as Error));
    });
  }

  private async enqueue(bullId: string, job: LearnerJob): Promise<void> {
    const data: JobMessage = {
      protocol: PROTOCOL,
      runId: this.o.runId,
      jobId: job.id,
      step: job.step,
      round: job.round,
      samples: job.samples as JobMessage['samples'],
      decode: job.decode as Record<string, unknown>,
      limits: job.limits as Record<string, unknown>,
      rng: job.rng.state(),
      minVersion: job.minVersion,
    };
    // Adding an id that exists is a no-op in BullMQ: a resumed learner then collects the finished job below.
    await this.queue.add('rollout', data, { jobId: bullId, attempts: this.o.attempts ?? 3, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } });
    await this.sweepOne(bullId);
  }

  private fail(jobId: string, e: Error): void {
    const w = this.waiters.get(this.baseId(jobId));
    if (!w) return;
    this.waiters.delete(this.baseId(jobId));
    w.reject(e);
  }

  private baseId(bullId: string): string {
    return bullId.replace(/-retry\d+$/, '');
  }

  private async onCompleted(bullId: string, returnvalue: unknown): Promise<void> {
    const id = this.baseId(bullId);
    if (this.delivered.has(id)) {
      this.counters.duplicates += 1;
      return;
    }
    const w = this.waiters.get(id);
    if (!w) return; // another learner process of this run, or a job this learner no longer waits for
    const raw = typeof returnvalue === 'string' ? safeJson(returnvalue) : returnvalue;
    const parsed = resultMessageSchema.safeParse(raw);
    const reason = !parsed.success
      ? `malformed result: ${firstIssue(parsed.error)}`
      : parsed.data.runId !== this.o.runId || parsed.data.jobId !== id
        ? `result for run "${parsed.data.runId}" job "${parsed.data.jobId}" arrived as job "${bullId}" of run "${this.o.runId}"`
        : parsed.data.policyVersion < w.job.minVersion
          ? `result of policy version ${parsed.data.policyVersion}, older than the job's minimum ${w.job.minVersion}`
          : undefined;
    if (reason) {
      await this.deadLetter(bullId, reason, raw);
      const n = (this.retries.get(id) ?? 0) + 1;
      this.retries.set(id, n);
      if (n > 3) return this.fail(id, new TirlError(`job ${id}: ${n} malformed results in a row (last: ${reason}); see ${this.keys.deadLetter}`, 'invalid-data'));
      this.counters.republished += 1;
      await this.enqueue(`${id}-retry${n}`, w.job);
      return;
    }
    this.delivered.add(id);
    this.waiters.delete(id);
    this.accept(parsed.data!, w);
  }

  private accept(result: ResultMessage, w: Waiter): void {
    this.counters.received += 1;
    const trees = result.trees as unknown as RolloutOutput['trees'];
    let trajectories = 0;
    for (const tree of trees) {
      for (const t of tree.trajectories) {
        t.meta = { ...t.meta, policyVersion: result.policyVersion, worker: result.worker };
        trajectories += 1;
      }
    }
    const stats = this.perWorker.get(result.worker) ?? { trajectories: 0, seconds: 0 };
    stats.trajectories += trajectories;
    stats.seconds += result.rolloutSeconds;
    this.perWorker.set(result.worker, stats);
    this.weightLoads.push(result.weightLoadSeconds);
    if (this.o.journal) {
      const line = { jobId: result.jobId, step: w.job.step, round: w.job.round, worker: result.worker, policyVersion: result.policyVersion, trajectories, pid: process.pid };
      appendFileSync(this.o.journal, JSON.stringify(line) + '\n');
    }
    w.resolve({ trees, metrics: result.metrics });
  }

  async deadLetter(jobId: string, reason: string, payload: unknown): Promise<void> {
    this.counters.deadLetters += 1;
    this.o.log(`learner: job ${jobId} → dead-letter list ${this.keys.deadLetter}: ${reason}`);
    const entry = { at: new Date().toISOString(), by: `learner@${hostname()}`, jobId, reason, payload: truncate(payload) };
    await this.redis.lpush(this.keys.deadLetter, JSON.stringify(entry));
  }

  /** Catches results whose event was missed (a reconnect) and failed jobs; says what it waits for. */
  private async sweep(): Promise<void> {
    for (const id of [...this.waiters.keys()]) await this.sweepOne(id).catch(() => undefined);
    if (this.waiters.size && Date.now() - this.lastReport > (this.o.waitReportSeconds ?? 30) * 1000) {
      this.lastReport = Date.now();
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null);
      const workers = await this.redis.hlen(this.keys.workers).catch(() => NaN);
      this.o.log(
        `learner: waiting for ${this.waiters.size} rollout job(s) (oldest ${Math.round((Date.now() - Math.min(...[...this.waiters.values()].map((w) => w.since))) / 1000)} s); ` +
          (counts ? `queue: ${counts.waiting} waiting, ${counts.active} active, ${counts.delayed} delayed, ${counts.failed} failed; ` : 'Redis unreachable; ') +
          `${workers} worker(s) registered. Start workers with: tirl worker --queue ${parseQueueUrl(this.o.url).display} --run ${this.o.runId}`,
      );
    }
  }

  private async sweepOne(bullId: string): Promise<void> {
    const id = this.baseId(bullId);
    const w = this.waiters.get(id);
    if (!w) return;
    const retry = this.retries.get(id);
    const current = retry ? `${id}-retry${retry}` : id;
    const job = await this.queue.getJob(current);
    if (!job) {
      // Gone without a result (a Redis restart without persistence): publish it again.
      this.counters.republished += 1;
      this.o.log(`learner: job ${current} is no longer in Redis; publishing it again`);
      await this.queue.add('rollout', await this.jobData(w.job), { jobId: current, attempts: this.o.attempts ?? 3 });
      return;
    }
    const state = await job.getState();
    if (!this.waiters.has(id)) return; // its completion event delivered it meanwhile
    if (state === 'completed') await this.onCompleted(current, job.returnvalue);
    else if (state === 'failed') {
      const reason = job.failedReason || 'no reason recorded';
      const n = (this.retries.get(id) ?? 0) + 1;
      if (n > (this.o.attempts ?? 3)) {
        this.fail(id, new TirlError(`rollout job ${id} failed ${n} times; last: ${reason}. See the workers' output.`, 'invalid-data'));
        return;
      }
      // A job that stalled too often (its workers died or hung) or crashed gets a fresh id and another chance.
      this.o.log(`learner: rollout job ${current} failed (${reason}); publishing it again as ${id}-retry${n}`);
      this.retries.set(id, n);
      this.counters.republished += 1;
      await this.queue.add('rollout', await this.jobData(w.job), { jobId: `${id}-retry${n}`, attempts: this.o.attempts ?? 3 });
    }
  }

  private async jobData(job: LearnerJob): Promise<JobMessage> {
    return {
      protocol: PROTOCOL,
      runId: this.o.runId,
      jobId: job.id,
      step: job.step,
      round: job.round,
      samples: job.samples as JobMessage['samples'],
      decode: job.decode as Record<string, unknown>,
      limits: job.limits as Record<string, unknown>,
      rng: job.rng.state(),
      minVersion: job.minVersion,
    };
  }

  /** Rollout source: the model's weights are `version` now; workers switch to it between rollouts. */
  async publish(version: number): Promise<Record<string, number>> {
    const t0 = performance.now();
    await this.publishWeights(version, this.o.publish ?? 'full');
    await this.store.prune(version - 8);
    return { 'weights/publish_s': (performance.now() - t0) / 1000, 'weights/version': version };
  }

  /** Rollout source: queue depth, deliveries, dead letters and per-worker throughput since the last call. */
  async takeMetrics(): Promise<Record<string, number>> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => ({}) as Record<string, number>);
    const out: Record<string, number> = {
      'queue/waiting': counts.waiting ?? NaN,
      'queue/active': counts.active ?? NaN,
      'queue/delayed': counts.delayed ?? NaN,
      'queue/failed': counts.failed ?? NaN,
      'async/results_received': this.counters.received,
      'async/duplicates_dropped': this.counters.duplicates,
      'async/dead_letters': this.counters.deadLetters,
      'async/jobs_republished': this.counters.republished,
      'weights/load_s_mean': this.weightLoads.length ? this.weightLoads.reduce((a, b) => a + b, 0) / this.weightLoads.length : 0,
    };
    for (const [worker, s] of this.perWorker) {
      out[`worker/${worker}/trajectories`] = s.trajectories;
      out[`worker/${worker}/trajectories_per_s`] = s.seconds > 0 ? s.trajectories / s.seconds : 0;
    }
    this.perWorker.clear();
    this.weightLoads.length = 0;
    Object.assign(this.counters, { received: 0, duplicates: 0, deadLetters: 0, republished: 0 });
    return out;
  }

  /** Counts of dropped duplicates etc. since the last `takeMetrics` (for tests). */
  get stats(): Readonly<typeof this.counters> {
    return this.counters;
  }

  /** Test hook: deliver a job's result again, as a second worker finishing a stalled job would. */
  async redeliver(bullId: string): Promise<void> {
    const job = await this.queue.getJob(bullId);
    if (job) await this.onCompleted(bullId, job.returnvalue);
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const w of this.waiters.values()) w.reject(new TirlError('the learner closed the rollout queue', 'invalid-data'));
    this.waiters.clear();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    for (const c of [this.redis, ...this.connections]) c.disconnect();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function truncate(payload: unknown): unknown {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return text && text.length > 4000 ? `${text.slice(0, 4000)}…` : payload;
}

export type { Job };
