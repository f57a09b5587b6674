import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seedsChart } from './charts';
import { runMatpoComparison, type ComparisonResult } from './compare';
import { runDemo, type DemoOptions, type DemoResult } from './demo';
import { formatMeanStd, meanStd, signed3 } from './rl/seed-stats';

const f3 = (x: number) => x.toFixed(3);

/** Per-seed SFT-only vs SFT+RL held-out accuracy (sampled), the gain, the kept step, and mean ± std of each column. */
export function formatSeedTable(runs: readonly Pick<DemoResult, 'seed' | 'before' | 'after' | 'keptStep'>[]): string {
  const header = `${'seed'.padEnd(6)}${'SFT only'.padStart(10)}${'SFT + RL'.padStart(10)}${'RL gain'.padStart(10)}${'kept step'.padStart(11)}`;
  const rows = runs.map((r) => `${String(r.seed).padEnd(6)}${f3(r.before.accuracy).padStart(10)}${f3(r.after.accuracy).padStart(10)}${signed3(r.after.accuracy - r.before.accuracy).padStart(10)}${String(r.keptStep).padStart(11)}`);
  const gains = runs.map((r) => r.after.accuracy - r.before.accuracy);
  const g = meanStd(gains);
  const summary = [
    `mean ± std (n = ${g.n}, sample std): SFT only ${formatMeanStd(meanStd(runs.map((r) => r.before.accuracy)), false)}, ` +
      `SFT + RL ${formatMeanStd(meanStd(runs.map((r) => r.after.accuracy)), false)}, RL gain ${formatMeanStd(g)}`,
    `lowest gain ${signed3(Math.min(...gains))} (seed ${runs[gains.indexOf(Math.min(...gains))].seed}); seeds where RL lost: ${gains.filter((x) => x < 0).length} of ${gains.length}`,
  ];
  return [header, ...rows, '', ...summary].join('\n');
}

/** Per seed: each system's held-out sampled accuracy after SFT and after RL, then mean ± std per column and of the gaps. */
export function formatComparisonSeedTable(runs: readonly { seed: number; result: Pick<ComparisonResult, 'single' | 'matpo'> }[]): string {
  const cols = ['single SFT', 'single +RL', 'matpo SFT', 'matpo +RL', 'matpo−single'];
  const values = runs.map(({ result: { single, matpo } }) => [single.before.accuracy, single.after.accuracy, matpo.before.accuracy, matpo.after.accuracy, matpo.after.accuracy - single.after.accuracy]);
  const lines = [`${'seed'.padEnd(6)}${cols.map((c) => c.padStart(14)).join('')}`];
  runs.forEach((r, i) => lines.push(`${String(r.seed).padEnd(6)}${values[i].map((v, j) => (j === 4 ? signed3(v) : f3(v)).padStart(14)).join('')}`));
  const stats = cols.map((_, j) => meanStd(values.map((v) => v[j])));
  lines.push(`${'mean'.padEnd(6)}${stats.map((s, j) => (j === 4 ? signed3(s.mean) : f3(s.mean)).padStart(14)).join('')}`);
  lines.push(`${'std'.padEnd(6)}${stats.map((s) => f3(s.std).padStart(14)).join('')}`);
  const gain = (k: 'single' | 'matpo') => formatMeanStd(meanStd(runs.map((r) => r.result[k].after.accuracy - r.result[k].before.accuracy)));
  lines.push('', `RL gain, mean ± std over ${runs.length} seeds (sample std): single ${gain('single')}, MATPO ${gain('matpo')}`);
  return lines.join('\n');
}

const line = (o: DemoOptions) => (text: string) => o.verbose && console.log(text);

/** `npm start -- --seeds 1,2,3`: the demo once per seed (each in `<out>/seed-N`), then the per-seed table, mean ± std, and `seeds.png`. */
export async function runSeeds(o: DemoOptions, seeds: readonly number[]): Promise<DemoResult[]> {
  const log = line(o);
  const runs: DemoResult[] = [];
  for (const seed of seeds) {
    log(`\n===== seed ${seed} (${runs.length + 1} of ${seeds.length}) =====`);
    runs.push(await runDemo({ ...o, seed, out: join(o.out, `seed-${seed}`) }));
  }
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const table = formatSeedTable(runs);
  await seedsChart(runs, join(outDir, 'seeds.png'));
  const seconds = runs.map((r) => r.seconds.total);
  writeFileSync(
    join(outDir, 'seeds.json'),
    JSON.stringify({ task: o.task, recipe: o.recipe, seeds: runs.map((r) => ({ seed: r.seed, sftOnly: r.before.accuracy, sftRl: r.after.accuracy, gain: r.after.accuracy - r.before.accuracy, keptStep: r.keptStep, seconds: r.seconds })) }, null, 2) + '\n',
  );
  log(`\nHeld-out accuracy (sampled, T=1), task "${o.task}", method "${o.recipe}", ${seeds.length} seeds:\n${table}`);
  log(`(seconds per seed: ${seconds.map((s) => s.toFixed(0)).join(', ')}; ${join(outDir, 'seeds.png')}, ${join(outDir, 'seeds.json')})`);
  return runs;
}

/** `npm start -- --compare matpo --seeds 1,2,3`: the MATPO vs single-agent comparison once per seed, then one table. */
export async function runComparisonSeeds(o: DemoOptions, seeds: readonly number[]): Promise<{ seed: number; result: ComparisonResult }[]> {
  const log = line(o);
  const runs: { seed: number; result: ComparisonResult }[] = [];
  for (const seed of seeds) {
    log(`\n===== seed ${seed} (${runs.length + 1} of ${seeds.length}) =====`);
    runs.push({ seed, result: await runMatpoComparison({ ...o, seed, out: join(o.out, `seed-${seed}`) }) });
  }
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const table = formatComparisonSeedTable(runs);
  writeFileSync(
    join(outDir, 'compare-seeds.json'),
    JSON.stringify({ sftSteps: o.sftSteps, rlSteps: o.steps, entities: o.entities, compat: o.compat ?? 'paper', seeds: runs.map(({ seed, result: r }) => ({ seed, single: { sft: r.single.before.accuracy, rl: r.single.after.accuracy }, matpo: { sft: r.matpo.before.accuracy, rl: r.matpo.after.accuracy }, seconds: r.seconds })) }, null, 2) + '\n',
  );
  log(`\nHeld-out accuracy (sampled, T=1), single agent vs MATPO (compat ${o.compat ?? 'paper'}), same RL budget (${o.steps} steps × ${o.promptsPerStep} prompts × ${o.groupSize} rollouts), ${o.sftSteps} SFT steps:\n${table}`);
  return runs;
}
