import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { TirlError } from '@tirl/core';
import { reportRenderers } from './renderers';

/** Metric keys charted by default, when present. */
export const DEFAULT_CHARTS = [
  'reward/mean',
  'loss/total',
  'advantage/std',
  'update/grad_norm',
  'rollout/tool_calls_per_trajectory',
  'rollout/invalid_tool_calls_per_trajectory',
  'rollout/policy_tokens',
  'time/step_s',
];

/** Reads a run's metrics.jsonl. */
export function readMetrics(runDir: string): Record<string, number>[] {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) throw new TirlError(`${file} does not exist: is ${runDir} a tirl run folder?`, 'invalid-data');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** A line chart of one or more series as an SVG string (vega-lite). */
export async function lineChartSvg(
  title: string,
  series: Record<string, { x: number; y: number }[]>,
  axes: { x: string; y: string } = { x: 'step', y: 'value' },
): Promise<string> {
  const { vega, vl } = reportRenderers();
  const values = Object.entries(series).flatMap(([name, points]) => points.map((p) => ({ ...p, series: name })));
  const spec = vl.compile({
    title,
    width: 420,
    height: 220,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: axes.x },
      y: { field: 'y', type: 'quantitative', title: axes.y, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Writes one PNG per metric and an index.html that shows them all; returns the files written. */
export async function writeReport(runDir: string, outDir = join(runDir, 'report'), keys = DEFAULT_CHARTS): Promise<string[]> {
  const rows = readMetrics(runDir);
  const { sharp } = reportRenderers();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const sections: string[] = [];
  for (const key of keys) {
    const points = rows.filter((r) => Number.isFinite(r[key])).map((r) => ({ x: r.step, y: r[key] }));
    if (!points.length) continue;
    const svg = await lineChartSvg(key, { [key]: points }, { x: 'step', y: key });
    const file = join(outDir, `${key.replace(/[^a-z0-9]+/gi, '_')}.png`);
    await sharp(Buffer.from(svg)).png().toFile(file);
    written.push(file);
    sections.push(`<figure><figcaption>${key}</figcaption>${svg}</figure>`);
  }
  const html = `<!doctype html><meta charset="utf-8"><title>tirl run report</title>
<style>body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}</style>
<h1 style="width:100%">${runDir}</h1>${sections.join('\n')}`;
  const htmlFile = join(outDir, 'index.html');
  writeFileSync(htmlFile, html);
  written.push(htmlFile);
  return written;
}
