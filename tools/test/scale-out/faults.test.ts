import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng, resolveRecipe } from '@tirl/core';
import { startRedisServer, type RedisServer } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { checkpointStep as checkpointOf, exited, readLines, runFixture as tsx, sleep } from './processes';
import { dataset, describeWithRedis, learning, newModel, testPlugins, testRecipe, tokenizer } from './task';

describeWithRedis('scale-out faults', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ force: 'cpu' });
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'tirl-faults-'));
  });
  afterAll(async () => {
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('workers SIGKILLed at random moments and the learner killed once: every job is trained exactly once, losses equal in-process', async () => {
    const steps = 4;
    const runId = 'faults';
    const runDir = join(dir, 'run');
    const journal = join(dir, 'journal.jsonl');
    const rng = new Rng(2024);
    const workers = new Map<string, ChildProcess>();
    const ready = new Set<string>();
    let spawned = 0;
    const spawnWorker = () => {
      const name = `w${++spawned}`;
      const p = tsx('worker-child.ts', [redis.url, runId, name]);
      p.stdout!.on('data', (d: Buffer) => d.toString().includes('serving run') && ready.add(name));
      p.stderr!.resume();
      workers.set(name, p);
    };
    for (let i = 0; i < 3; i++) spawnWorker();

    let learner = tsx('learner-child.ts', [redis.url, runId, runDir, String(steps), journal]);
    let learnerOut = '';
    learner.stdout!.on('data', (d) => (learnerOut += d));
    learner.stderr!.on('data', (d) => (learnerOut += d));

    // Kill a random serving worker 0.3-1.5 s apart once workers serve (4 times; a run on idle cores takes only a few
    // seconds) and start a replacement; kill the learner once step 2 is checkpointed.
    let workerKills = 0;
    let learnerKilledAt: number | undefined;
    const checkpointStep = () => checkpointOf(runDir);
    const learnerWatch = setInterval(() => {
      if (learnerKilledAt !== undefined || checkpointStep() < 2 || learner.exitCode !== null) return;
      learnerKilledAt = checkpointStep();
      learner.kill('SIGKILL');
      void exited(learner).then(() => {
        learner = tsx('learner-child.ts', [redis.url, runId, runDir, String(steps), journal, 'resume']);
        learner.stdout!.on('data', (d) => (learnerOut += d));
        learner.stderr!.on('data', (d) => (learnerOut += d));
      });
    }, 50);
    const deadline = Date.now() + 330_000;
    for (;;) {
      await sleep(workerKills < 4 && ready.size > 0 ? 300 + rng.next() * 1200 : 100);
      if (learner.exitCode !== null && learner.signalCode === null) break;
      if (Date.now() > deadline) {
        learner.kill('SIGKILL');
        throw new Error(`the run did not finish; learner output:\n${learnerOut.slice(-4000)}`);
      }
      const names = [...workers.keys()].filter((n) => ready.has(n));
      if (workerKills < 4 && names.length) {
        const victim = names[rng.int(names.length)];
        workers.get(victim)!.kill('SIGKILL');
        workers.delete(victim);
        workerKills += 1;
        spawnWorker();
      }
    }
    clearInterval(learnerWatch);
    const code = await exited(learner);
    for (const p of workers.values()) p.kill('SIGKILL');
    expect({ code, tail: code === 0 ? '' : learnerOut.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(workerKills).toBeGreaterThanOrEqual(3);
    expect(learnerKilledAt).toBeGreaterThanOrEqual(2);

    // Exactly once: the steps the final model went through used each of their 3 jobs once.
    const entries = readLines(journal) as { jobId: string; step: number; pid: number }[];
    const [firstPid, secondPid] = [...new Set(entries.map((e) => e.pid))];
    // The resumed learner starts at its newest checkpoint, which may be newer than the one seen before the kill.
    const resumedFrom = Math.min(...entries.filter((e) => e.pid === secondPid).map((e) => e.step));
    expect(resumedFrom).toBeGreaterThanOrEqual(learnerKilledAt!);
    expect(resumedFrom).toBeLessThan(steps);
    const effective = entries.filter((e) => (e.step < resumedFrom ? e.pid === firstPid : e.pid === secondPid));
    for (let s = 0; s < steps; s++) {
      const ids = effective.filter((e) => e.step === s).map((e) => e.jobId);
      expect({ step: s, jobs: ids.length, distinct: new Set(ids).size }).toEqual({ step: s, jobs: 3, distinct: 3 });
    }
    // Within one learner process no job id is accepted twice.
    for (const pid of [firstPid, secondPid]) {
      const ids = entries.filter((e) => e.pid === pid).map((e) => e.jobId);
      expect(new Set(ids).size).toBe(ids.length);
    }
    // And the run learned exactly what an uninterrupted in-process run with the same jobs learns.
    const recipe = resolveRecipe(testRecipe, [`steps=${steps}`], { recipes: [] });
    const local = await train({ recipe, model: newModel(), tokenizer, dataset, runDir: join(dir, 'local'), plugins: testPlugins, progress: false });
    const remote = readLines(join(runDir, 'metrics.jsonl')) as Record<string, number>[];
    expect(remote.map((m) => m.step)).toEqual([0, 1, 2, 3]);
    expect(learning(remote)).toEqual(learning(local.history));
    console.log(`faults: ${workerKills} worker SIGKILLs, learner SIGKILLed and resumed from step ${resumedFrom}; ${entries.length} results accepted in all, ${effective.length} trained`);
  }, 400_000);
});
