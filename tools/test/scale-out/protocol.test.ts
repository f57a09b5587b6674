import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, resolveRecipe } from '@tirl/core';
import { formatStatus, queueStatus, QueueLearner, RolloutWorker, runKeys, startRedisServer, type RedisServer } from '@tirl/scale-out';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { dataset, describeWithRedis, newModel, testPlugins, testRecipe, tokenizer } from './task';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithRedis('scale-out protocol', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ force: 'cpu' });
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'tirl-protocol-'));
  });
  afterAll(async () => {
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a malformed or foreign job goes to the dead-letter list with its reason; the worker keeps serving; duplicates are dropped and counted', async () => {
    const runId = 'dead-letters';
    const log: string[] = [];
    const recipe = resolveRecipe(testRecipe, ['steps=1'], { recipes: [] });
    const learner = await QueueLearner.connect({ url: redis.url, runId, recipe, model: newModel(), tokenizer, log: (l) => log.push(l) });
    const worker = await RolloutWorker.start({ url: redis.url, runId, plugins: testPlugins, concurrency: 1, name: 'w', log: (l) => log.push(l) });
    const keys = runKeys(runId);
    const producer = new Queue(keys.queue, { connection: { host: '127.0.0.1', port: redis.port }, prefix: keys.prefix });
    await producer.add('rollout', { protocol: 1, runId, jobId: 'x', step: 0 });
    await producer.add('rollout', { protocol: 1, runId: 'someone-else', jobId: 'y', step: 0, round: 0, samples: [{ sample: dataset[0], rollouts: 1 }], decode: {}, limits: {}, rng: [1, 2, 3, 4], minVersion: 0 });
    await producer.add('mine-bitcoin', 'not even an object');
    const client = new Redis(redis.port, '127.0.0.1');
    for (let i = 0; i < 100 && (await client.llen(keys.deadLetter)) < 3; i++) await sleep(100);
    const entries = (await client.lrange(keys.deadLetter, 0, -1)).map((e) => JSON.parse(e) as { reason: string });
    expect(entries.map((e) => e.reason).sort()).toEqual([
      'job of run "someone-else" in the queue of run "dead-letters"',
      'malformed job: (message): Invalid input: expected object, received string',
      'malformed job: round: Invalid input: expected number, received undefined',
    ]);
    // The worker still serves: a real job of this run completes, and a second delivery of it is dropped and counted.
    const { Rng } = await import('@tirl/core');
    const decode = { maxNewTokens: 10, temperature: 1, topP: 1, topK: 0 };
    const limits = { maxTurns: 1, maxTotalTokens: 256, maxToolCalls: 8, toolTimeoutMs: 10000, concurrency: 8 };
    const job = { id: 'real', step: 0, round: 0, samples: [{ sample: dataset[0], rollouts: 2 }], decode, limits, rng: new Rng(5), minVersion: 0 };
    try {
      const out = await learner.run(job);
      expect(out.trees[0].trajectories).toHaveLength(2);
      expect(out.trees[0].trajectories[0].meta).toMatchObject({ policyVersion: 0, worker: 'w' });
      await learner.redeliver('real');
      expect(learner.stats.duplicates).toBe(1);
      expect(learner.stats.received).toBe(1);
    } finally {
      client.disconnect();
      await producer.close();
      await worker.close();
      await learner.close();
    }
  });

  it('the status tirl status prints lists the workers, their policy versions and throughput', async () => {
    const runId = 'status';
    const recipe = resolveRecipe(testRecipe, ['steps=1'], { recipes: [] });
    const learner = await QueueLearner.connect({ url: redis.url, runId, recipe, model: newModel(), tokenizer, log: () => undefined });
    const worker = await RolloutWorker.start({ url: redis.url, runId, plugins: testPlugins, name: 'status-worker', log: () => undefined });
    const text = formatStatus(await queueStatus(redis.url, runId));
    expect(text).toContain('run "status": policy version 0');
    expect(text).toMatch(/status-worker\s+alive\s+version 0\s+0 jobs/);
    await worker.close();
    await learner.close();
  });
});
