import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, resolveRecipe } from '@tirl/core';
import { startRedisServer, type RedisServer } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { checkpointStep, exited, readLines, runFixture, sleep } from './processes';
import { dataset, describeWithRedis, learning, newModel, testPlugins, testRecipe, tokenizer } from './task';

describeWithRedis('scale-out: Redis restarting mid-run', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ force: 'cpu' });
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'tirl-redis-restart-'));
  });
  afterAll(async () => {
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('learner and workers say Redis is unreachable, reconnect when it is back, and the run trains every job once, as in-process', async () => {
    const steps = 4;
    const runId = 'restart';
    const runDir = join(dir, 'run');
    const journal = join(dir, 'journal.jsonl');
    let workerOut = '';
    const workers: ChildProcess[] = ['w1', 'w2'].map((name) => {
      const p = runFixture('worker-child.ts', [redis.url, runId, name]);
      p.stdout!.on('data', (d) => (workerOut += d));
      p.stderr!.on('data', (d) => (workerOut += d));
      return p;
    });
    const learner = runFixture('learner-child.ts', [redis.url, runId, runDir, String(steps), journal]);
    let learnerOut = '';
    learner.stdout!.on('data', (d) => (learnerOut += d));
    learner.stderr!.on('data', (d) => (learnerOut += d));

    // Restart Redis (a clean stop, as a service restart does; the append-only file keeps the queue) once step 1 is
    // checkpointed, with Redis away for 1.5 s.
    const deadline = Date.now() + 240_000;
    while (checkpointStep(runDir) < 1 && learner.exitCode === null) {
      if (Date.now() > deadline) throw new Error(`no checkpoint; learner output:\n${learnerOut.slice(-3000)}`);
      await sleep(20);
    }
    const restartedAt = checkpointStep(runDir);
    await redis.stop();
    await sleep(1500);
    await redis.restart();

    const timer = setTimeout(() => learner.kill('SIGKILL'), Math.max(1, deadline - Date.now()));
    const code = await exited(learner);
    clearTimeout(timer);
    for (const w of workers) w.kill('SIGKILL');
    expect({ code, tail: code === 0 ? '' : learnerOut.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(restartedAt).toBeLessThan(steps);
    expect(learnerOut).toMatch(/unreachable \(attempt 1\); retrying in 100 ms/);
    expect(learnerOut).toMatch(/reconnected to Redis at redis:\/\/127\.0\.0\.1:/);
    expect(workerOut).toMatch(/reconnected to Redis at redis:\/\/127\.0\.0\.1:/);

    // Every step trained its 3 jobs, each once.
    const entries = readLines(journal) as { jobId: string; step: number }[];
    for (let s = 0; s < steps; s++) {
      const ids = entries.filter((e) => e.step === s).map((e) => e.jobId);
      expect({ step: s, jobs: ids.length, distinct: new Set(ids).size }).toEqual({ step: s, jobs: 3, distinct: 3 });
    }
    const recipe = resolveRecipe(testRecipe, [`steps=${steps}`], { recipes: [] });
    const local = await train({ recipe, model: newModel(), tokenizer, dataset, runDir: join(dir, 'local'), plugins: testPlugins, progress: false });
    const remote = readLines(join(runDir, 'metrics.jsonl')) as Record<string, number>[];
    expect(learning(remote)).toEqual(learning(local.history));
  }, 300_000);
});
