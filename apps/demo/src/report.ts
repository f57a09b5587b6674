import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { lineChartSvg, writeReport } from './trainer-internals';

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

/** Writes the trainer's charts, the before/after chart and summary.json into `outDir`; returns the files. */
export async function writeDemoReport(runDir: string, outDir: string, before: Summary, after: Summary, extra: Record<string, unknown>): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const files = await writeReport(runDir, outDir);
  const png = join(outDir, 'before_after.png');
  await sharp(Buffer.from(await beforeAfterSvg(before, after))).png().toFile(png);
  const json = join(outDir, 'summary.json');
  writeFileSync(json, JSON.stringify({ ...extra, before, after }, null, 2) + '\n');
  return [...files, png, json];
}
