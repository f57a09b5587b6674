import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg, trainingCharts, writePng } from './charts';

export interface Summary {
  accuracy: number;
  toolCallsPerAnswer: number;
  invalidToolCallsPerAnswer: number;
  faithfulToolUse: number;
  answers: number;
}

const ROWS: [keyof Summary, string][] = [
  ['accuracy', 'held-out accuracy'],
  ['toolCallsPerAnswer', 'tool calls per answer'],
  ['invalidToolCallsPerAnswer', 'invalid tool calls per answer'],
  ['faithfulToolUse', 'faithful tool use'],
];

/** The before/after table as fixed-width text. */
export function formatTable(before: Summary, after: Summary): string {
  const f = (x: number) => x.toFixed(3).padStart(10);
  const lines = [`${'metric'.padEnd(32)}${'SFT only'.padStart(10)}${'SFT + RL'.padStart(10)}`];
  for (const [key, label] of ROWS) lines.push(`${label.padEnd(32)}${f(before[key])}${f(after[key])}`);
  lines.push(`${'held-out questions'.padEnd(32)}${String(before.answers).padStart(10)}${String(after.answers).padStart(10)}`);
  return lines.join('\n');
}

/** Each metric of the table as a two-point line, SFT only (x = 0) to SFT + RL (x = 1), as SVG. */
function beforeAfterSvg(before: Summary, after: Summary): Promise<string> {
  const series = Object.fromEntries(ROWS.map(([key, label]) => [label, [{ x: 0, y: before[key] }, { x: 1, y: after[key] }]]));
  return lineChartSvg('Held-out evaluation: SFT only (0) → SFT + RL (1)', series, { x: 'stage', y: 'value' });
}

/** Writes one PNG per training metric, the before/after chart, index.html and summary.json; returns the files. */
export async function writeDemoReport(runDir: string, outDir: string, before: Summary, after: Summary, extra: Record<string, unknown>): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const charts = [{ key: 'before/after RL', file: 'before_after.png', svg: await beforeAfterSvg(before, after) }];
  for (const c of await trainingCharts(runDir)) charts.push({ ...c, file: `${c.key.replace(/[^a-z0-9]+/gi, '_')}.png` });
  const files: string[] = [];
  for (const c of charts) {
    files.push(join(outDir, c.file));
    await writePng(c.svg, files.at(-1)!);
  }
  const html = `<!doctype html><meta charset="utf-8"><title>tirl demo report</title>
<style>body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}pre{width:100%}</style>
<h1 style="width:100%">tirl demo: ${String(extra.task)} / ${String(extra.recipe)}</h1><pre>${formatTable(before, after)}</pre>
${charts.map((c) => `<figure><figcaption>${c.key}</figcaption>${c.svg}</figure>`).join('\n')}`;
  files.push(join(outDir, 'index.html'));
  writeFileSync(files.at(-1)!, html);
  files.push(join(outDir, 'summary.json'));
  writeFileSync(files.at(-1)!, JSON.stringify({ ...extra, before, after }, null, 2) + '\n');
  return files;
}
