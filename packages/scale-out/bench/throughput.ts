/**
 * Scale-out bench: rollout throughput on a tool-latency-bound task (one 200 ms tool call per rollout, free
 * generation) with 1, 2, 4, 8 worker processes on loopback Redis. Efficiency = throughput / (N × the
 * 1-worker throughput measured in the same run). Prints one JSON line per worker count, then the load.
 *
 *   npx tsx --conditions=tirl-source packages/scale-out/bench/throughput.ts [--workers 1,2,4,8] [--jobs-per-worker 12]
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, resolveRecipe, Rng } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { QueueLearner, queueStatus, startRedisServer } from '../src';
import { benchRecipe, benchSample } from './task';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,4,8' },
    'jobs-per-worker': { type: 'string', default: '12' },
    'rollouts-per-job': { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '1' },
  },
});
const counts = values.workers!.split(',').map(Number);
const jobsPerWorker = Number(values['jobs-per-worker']);
const rolloutsPerJob = Number(values['rollouts-per-job']);
const root = join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decode = { maxNewTokens: 200, temperature: 1, topP: 1, topK: 0 };
const limits = { maxTurns: 2, maxTotalTokens: 2000, maxToolCalls: 2, toolTimeoutMs: 10000, concurrency: 16 };

async function main(): Promise<void> {
  await initBackend({ force: 'cpu' });
  const redis = await startRedisServer();
  const tokenizer = new ByteTokenizer();
  const recipe = resolveRecipe(benchRecipe, undefined, { recipes: [] });
  const results: { workers: number; trajectoriesPerS: number }[] = [];
  try {
    for (const n of counts) {
      const runId = `bench-${n}`;
      const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 1, numKeyValueHeads: 1 }, 0);
      const learner = await QueueLearner.connect({ url: redis.url, runId, recipe, model, tokenizer, log: () => undefined });
      const procs: ChildProcess[] = Array.from({ length: n }, (_, i) =>
        spawn(process.execPath, ['--import', 'tsx', '--conditions=tirl-source', join(__dirname, 'worker.ts'), redis.url, runId, `w${i}`, values.concurrency!], { cwd: root, stdio: 'inherit' }),
      );
      while ((await queueStatus(redis.url, runId)).workers.filter((w) => w.alive).length < n) await sleep(200);
      const jobs = n * jobsPerWorker;
      const load0 = loadavg()[0];
      const t0 = performance.now();
      const outs = await Promise.all(
        Array.from({ length: jobs }, (_, j) =>
          learner.run({ id: `job-${j}`, step: 0, round: 0, samples: [{ sample: benchSample(j), rollouts: rolloutsPerJob }], decode, limits, rng: new Rng(j), minVersion: 0 }),
        ),
      );
      const seconds = (performance.now() - t0) / 1000;
      const trajectories = outs.reduce((k, o) => k + o.trees.reduce((m, t) => m + t.trajectories.length, 0), 0);
      const calls = outs.flatMap((o) => o.trees.flatMap((t) => t.trajectories.flatMap((x) => x.toolCalls)));
      const perS = trajectories / seconds;
      results.push({ workers: n, trajectoriesPerS: perS });
      const single = results[0].trajectoriesPerS * (n / results[0].workers);
      console.log(JSON.stringify({
        workers: n, jobs, trajectories, seconds: +seconds.toFixed(3), trajectoriesPerS: +perS.toFixed(2),
        efficiency: +(perS / single).toFixed(3), idealPerS: +((n * Number(values.concurrency) * rolloutsPerJob) / 0.2).toFixed(1),
        toolCallsOk: calls.filter((c) => c.ok).length, loadavg1mBefore: +load0.toFixed(2), loadavg1mAfter: +loadavg()[0].toFixed(2),
      }));
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
      await learner.close();
      model.dispose();
    }
  } finally {
    await redis.dispose();
  }
  console.log(JSON.stringify({ machine: { cpus: cpus().length, loadavg: loadavg().map((x) => +x.toFixed(2)) }, note: 'efficiency = throughput / (N × 1-worker throughput of this run)' }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
