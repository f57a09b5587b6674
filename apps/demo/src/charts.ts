import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** Training metrics charted in the report, when present. */
export const TRAINING_CHARTS = [
  'reward/mean',
  'loss/total',
  'advantage/std',
  'update/grad_norm',
  'rollout/tool_calls_per_trajectory',
  'rollout/invalid_tool_calls_per_trajectory',
  'time/step_s',
];

/** A line chart of one or more series as SVG (vega-lite). */
export async function lineChartSvg(title: string, series: Record<string, { x: number; y: number }[]>, axes: { x: string; y: string }): Promise<string> {
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
      y: { field: 'y', type: 'quantitative', title: axes.y },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function writePng(svg: string, file: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(file);
}

/** One chart per training metric of `runDir/metrics.jsonl`: `{ key, svg }`. */
export async function trainingCharts(runDir: string): Promise<{ key: string; svg: string }[]> {
  const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number>);
  const out: { key: string; svg: string }[] = [];
  for (const key of TRAINING_CHARTS) {
    const points = rows.filter((r) => Number.isFinite(r[key])).map((r) => ({ x: r.step, y: r[key] }));
    if (points.length) out.push({ key, svg: await lineChartSvg(key, { [key]: points }, { x: 'RL step', y: key }) });
  }
  return out;
}
