/**
 * Async vs sync on the demo's search task: the same warm-started model, seed and number of trained
 * trajectories, trained with rollouts on `--workers` worker processes and staleness η = 0, 1, 2
 * (objective/decoupled-ppo for all, which is PPO when η = 0). Prints per η the mean wall clock per step
 * (first step excluded), the speed-up over η = 0 measured in the same run, and held-out accuracy.
 *
 *   npx tsx --conditions=tirl-source apps/demo/bench/async-vs-sync.ts [--steps 12] [--sft-steps 300] [--workers 1]
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend, type ResolvedRecipe } from '@tirl/core';
import { ByteTokenizer, createTinyModel, loadPretrained, savePretrained } from '@tirl/policy';
import { startRedisServer } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { ACCURACY, buildRecipe, DEFAULT_OPTIONS, evalSummary, warmStart, type DemoOptions } from '../src/demo';
import { demoPlugins } from '../src/plugins/compact-xml-tags';
import { demonstrationTraces } from '../src/sft';
import { makeTask } from '../src/tasks';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '12' },
    'sft-steps': { type: 'string', default: '300' },
    // One worker process: its generation already uses both cores of a 2-core machine; a second oversubscribes them.
    workers: { type: 'string', default: '1' },
    etas: { type: 'string', default: '0,1,2' },
    entities: { type: 'string', default: '400' },
  },
});

const root = join(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  console.log(describeBackend(await initBackend({})));
  const o: DemoOptions = { ...DEFAULT_OPTIONS, steps: Number(values.steps), sftSteps: Number(values['sft-steps']), entities: Number(values.entities), heldOut: 32, promptsPerStep: 4, groupSize: 4, verbose: false };
  const task = makeTask('search', o.seed, o.entities, o.heldOut);
  const tokenizer = new ByteTokenizer();
  const evalRecipe = buildRecipe('grpo', task, o, 'evaluate');
  const warm = createTinyModel({ vocabSize: tokenizer.vocabSize, ...o.model }, o.seed);
  const traces = await demonstrationTraces(evalRecipe, task, tokenizer, task.train, ACCURACY);
  warmStart(warm, traces, tokenizer, o);
  const dir = mkdtempSync(join(tmpdir(), 'tirl-async-bench-'));
  await savePretrained(join(dir, 'warm'), warm);
  const before = await evalSummary({ recipe: evalRecipe, model: warm, tokenizer, seed: o.seed }, task, 2);
  console.log(JSON.stringify({ phase: 'warm start', sftSteps: o.sftSteps, heldOutAccuracy: before.accuracy, greedy: before.greedyAccuracy }));
  warm.dispose();
  const redis = await startRedisServer();
  const rows: { eta: number; stepS: number }[] = [];
  try {
    for (const eta of values.etas!.split(',').map(Number)) {
      const base = buildRecipe('grpo', task, o);
      const recipe: ResolvedRecipe = {
        ...base,
        plugins: base.plugins.map((p) => (p.id.startsWith('objective/') ? { id: 'objective/decoupled-ppo', options: {} } : p)),
        settings: { ...base.settings, scaleOut: { maxStaleness: eta } },
      };
      const runId = `eta-${eta}`;
      const { model } = await loadPretrained(join(dir, 'warm'));
      const workers: ChildProcess[] = Array.from({ length: Number(values.workers) }, (_, i) =>
        spawn(process.execPath, ['--import', 'tsx', '--conditions=tirl-source', join(__dirname, 'async-worker.ts'), redis.url, runId, `w${i}`], { cwd: root, stdio: 'inherit' }),
      );
      const load0 = loadavg()[0];
      const result = await train({ recipe, model, tokenizer, dataset: task.train, runDir: join(dir, runId), plugins: demoPlugins, progress: false, queue: { url: redis.url, runId, log: () => undefined } });
      for (const w of workers) w.kill('SIGTERM');
      const times = result.history.slice(1).map((m) => m['time/step_s']);
      const stepS = times.reduce((a, b) => a + b, 0) / times.length;
      rows.push({ eta, stepS });
      const after = await evalSummary({ recipe: evalRecipe, model, tokenizer, seed: o.seed }, task, 2);
      const reference = rows.find((r) => r.eta === 0);
      console.log(JSON.stringify({
        eta, steps: result.steps, trajectoriesTrained: result.history.reduce((n, m) => n + (m['batch/rows'] ?? 0), 0),
        stepSeconds: +stepS.toFixed(3), speedupOverEta0: reference ? +(reference.stepS / stepS).toFixed(3) : null,
        stalenessMean: +(result.history.reduce((n, m) => n + (m['async/staleness_mean'] ?? 0), 0) / result.history.length).toFixed(3),
        heldOutAccuracy: after.accuracy, greedyAccuracy: after.greedyAccuracy, heldOutQuestions: task.heldOut.length, evalRepeats: 2,
        loadavg1mBefore: +load0.toFixed(2), loadavg1mAfter: +loadavg()[0].toFixed(2),
      }));
      // A worker killed by a signal has a null exitCode and its signalCode set; either means it has exited.
      await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null || w.signalCode !== null ? r(null) : w.once('exit', r)))));
      model.dispose();
    }
  } finally {
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ machine: { cpus: cpus().length, loadavg: loadavg().map((x) => +x.toFixed(2)) } }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
