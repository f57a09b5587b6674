/**
 * Draws the visual zoom demo's runs (the JSON lines `vlm-zoom.ts` prints, one file per seed) as one PNG:
 * per seed, the RL training reward per step (moving mean over 8 steps), and the held-out accuracy and
 * faithful tool use after SFT and after RL.
 *
 *   npx tsx packages/tools-vision/bench/vlm-zoom-chart.ts OUT.png RUN1.jsonl [RUN2.jsonl …]
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

interface Run {
  name: string;
  rewards: number[];
  afterSft: { accuracy: number; faithfulToolUse: number };
  afterRl: { accuracy: number; faithfulToolUse: number };
}

function readRun(file: string): Run {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const evalAt = (stage: string) => lines.find((l) => l.event === 'eval' && l.stage === stage);
  const setup = lines.find((l) => l.event === 'setup');
  return { name: `seed ${setup?.seed ?? '?'}`, rewards: lines.filter((l) => l.event === 'rl_step').map((l) => l.meanReward), afterSft: evalAt('after-sft'), afterRl: evalAt('after-rl') };
}

const movingMean = (xs: number[], w: number) => xs.map((_, i) => {
  const window = xs.slice(Math.max(0, i - w + 1), i + 1);
  return window.reduce((a, b) => a + b, 0) / window.length;
});

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

function svg(runs: Run[]): string {
  const W = 900, H = 380, left = 60, top = 40, plotW = 480, plotH = 260;
  const steps = Math.max(...runs.map((r) => r.rewards.length));
  const [lo, hi] = [-0.5, 1.5];
  const x = (i: number) => left + (i / Math.max(1, steps - 1)) * plotW;
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * plotH;
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${left}" y="24" font-size="15" font-family="sans-serif">RL training reward per step (moving mean of 8; exact match + 0.5 × evidence − failed calls)</text>`];
  for (const v of [-0.5, 0, 0.5, 1, 1.5]) parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end" font-family="sans-serif">${v}</text>`);
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 30}" font-size="12" text-anchor="middle" font-family="sans-serif">RL step</text>`);
  runs.forEach((r, k) => {
    const pts = movingMean(r.rewards, 8).map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="2"/>`);
  });
  // before/after table on the right
  const tx = left + plotW + 40;
  parts.push(`<text x="${tx}" y="${top}" font-size="13" font-family="sans-serif" font-weight="bold">held-out (greedy)</text>`);
  parts.push(`<text x="${tx}" y="${top + 22}" font-size="12" font-family="sans-serif">accuracy SFT → RL · faithful crop SFT → RL</text>`);
  runs.forEach((r, k) => {
    const f = (v: number) => v.toFixed(2);
    parts.push(`<rect x="${tx}" y="${top + 40 + k * 24}" width="12" height="12" fill="${COLOURS[k % COLOURS.length]}"/>`);
    parts.push(`<text x="${tx + 18}" y="${top + 51 + k * 24}" font-size="12" font-family="sans-serif">${r.name}: ${f(r.afterSft.accuracy)} → ${f(r.afterRl.accuracy)} · ${f(r.afterSft.faithfulToolUse)} → ${f(r.afterRl.faithfulToolUse)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
}

async function main(): Promise<void> {
  const [out, ...files] = process.argv.slice(2);
  if (!out || files.length === 0) throw new Error('usage: vlm-zoom-chart.ts OUT.png RUN.jsonl [RUN.jsonl …]');
  await sharp(Buffer.from(svg(files.map(readRun)))).png().toFile(out);
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
