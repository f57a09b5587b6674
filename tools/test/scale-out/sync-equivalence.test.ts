import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, resolveRecipe } from '@tirl/core';
import { RolloutWorker, startRedisServer, type RedisServer } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { dataset, describeWithRedis, learning, newModel, testPlugins, testRecipe, tokenizer } from './task';

describeWithRedis('scale-out: η = 0 with two workers', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ force: 'cpu' });
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'tirl-sync-'));
  });
  afterAll(async () => {
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same losses as rollouts in process with the same jobs (cpu backend)', async () => {
    const recipe = resolveRecipe(testRecipe, undefined, { recipes: [] });
    const local = await train({ recipe, model: newModel(), tokenizer, dataset, runDir: join(dir, 'local'), plugins: testPlugins, progress: false });

    const log: string[] = [];
    const model = newModel();
    const runId = 'equivalence';
    const trained = train({
      recipe, model, tokenizer, dataset, runDir: join(dir, 'queue'), plugins: testPlugins, progress: false,
      queue: { url: redis.url, runId, log: (l) => log.push(l) },
    });
    // Workers join once the learner has published the run.
    await new Promise((r) => setTimeout(r, 1500));
    const workers = await Promise.all([1, 2].map((i) => RolloutWorker.start({ url: redis.url, runId, plugins: testPlugins, concurrency: 2, name: `w${i}`, log: (l) => log.push(l) })));
    const remote = await trained;
    await Promise.all(workers.map((w) => w.close()));

    expect(learning(remote.history)).toEqual(learning(local.history));
    expect(remote.history.map((m) => m['async/staleness_max'])).toEqual([0, 0, 0]);
    // Both workers took part, and every job's result was delivered once.
    expect(workers.every((w) => w.stats.jobs > 0)).toBe(true);
    expect(workers.reduce((n, w) => n + w.stats.jobs, 0)).toBe(3 * 3);
    expect(remote.history.reduce((n, m) => n + m['async/results_received'], 0)).toBe(9);
  });
});
