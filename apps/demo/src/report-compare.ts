import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { lineChartSvg, readMetrics, writeReport } from '@tirl/trainer';
import { ROWS, type Summary } from './report';

/** One system of the comparison: held-out results before and after its RL run. */
export interface SystemResult {
  key: string;
  label: string;
  recipe: string;
  runDir: string;
  before: Summary;
  after: Summary;
  rlHistory: Record<string, number>[];
  rlSeconds: number;
}

/** The comparison table: a before and an after column per system, and the RL change of sampled accuracy. */
export function formatComparison(results: readonly SystemResult[]): string {
  const f = (x: number) => x.toFixed(3).padStart(12);
  const header = results.flatMap((r) => [`${r.key} SFT`, `${r.key} +RL`]);
  const lines = [`${'metric'.padEnd(34)}${header.map((h) => h.padStart(12)).join('')}`];
  for (const [key, label] of ROWS) lines.push(`${label.padEnd(34)}${results.map((r) => f(r.before[key]) + f(r.after[key])).join('')}`);
  lines.push('');
  for (const r of results) {
    const delta = r.after.accuracy - r.before.accuracy;
    lines.push(`${r.label}: RL changed held-out sampled accuracy by ${(delta >= 0 ? '+' : '') + delta.toFixed(3)} (${r.before.accuracy.toFixed(3)} → ${r.after.accuracy.toFixed(3)})`);
  }
  return lines.join('\n');
}

/** Training reward per RL step of every system, with each system's held-out accuracy before and after. */
async function comparisonSvg(results: readonly SystemResult[]): Promise<string> {
  const series: Record<string, { x: number; y: number }[]> = {};
  for (const r of results) {
    const rows = readMetrics(r.runDir).filter((m) => Number.isFinite(m['reward/mean']));
    series[`${r.key} reward`] = rows.map((m) => ({ x: m.step, y: m['reward/mean'] }));
    series[`${r.key} held-out`] = [
      { x: 0, y: r.before.accuracy },
      { x: rows.at(-1)?.step ?? 1, y: r.after.accuracy },
    ];
  }
  return lineChartSvg('MATPO vs single agent: training reward per step, held-out accuracy before and after RL', series, { x: 'RL step', y: 'reward / accuracy' });
}

/**
 * `compare.png` (both systems in one chart), each run's trainer charts under `<key>/`, `index.html`
 * with the table, and `summary.json`.
 */
export async function writeComparisonReport(outDir: string, results: readonly SystemResult[], extra: Record<string, unknown>): Promise<string[]> {
  const files: string[] = [];
  for (const r of results) files.push(...(await writeReport(r.runDir, join(outDir, r.key))).filter((f) => !f.endsWith('index.html')));
  const chart = join(outDir, 'compare.png');
  await sharp(Buffer.from(await comparisonSvg(results))).png().toFile(chart);
  files.unshift(chart);
  const images = files.map((f) => f.slice(outDir.length + 1));
  const html = `<!doctype html><meta charset="utf-8"><title>tirl demo: MATPO vs single agent</title>
<style>body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:16px}img{max-width:480px}pre{width:100%}</style>
<h1 style="width:100%">tirl demo: MATPO vs single agent on two-hop questions</h1><pre>${formatComparison(results)}</pre>
${images.map((f) => `<figure><figcaption>${f}</figcaption><img src="${f}"></figure>`).join('\n')}`;
  files.push(join(outDir, 'index.html'));
  writeFileSync(files.at(-1)!, html);
  files.push(join(outDir, 'summary.json'));
  const systems = results.map(({ key, label, recipe, before, after, rlSeconds }) => ({ key, label, recipe, before, after, rlSeconds }));
  writeFileSync(files.at(-1)!, JSON.stringify({ ...extra, systems }, null, 2) + '\n');
  return files;
}
