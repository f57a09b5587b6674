import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { EvalPoint } from './rl/train-with-eval';
import { meanStd } from './rl/seed-stats';

/** Legends below the plot, one entry per line, labels never shortened. */
const LEGEND = { orient: 'bottom', direction: 'vertical', labelLimit: 0, title: null } as const;

async function render(spec: TopLevelSpec, png: string): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  await sharp(Buffer.from(svg)).png().toFile(png);
  return svg;
}

const REWARD = 'training reward (group mean; exact match + partial credit, max 1.5)';
const TEST = 'held-out test accuracy (sampled; bar: ± 1 standard error)';
const VALIDATION = 'validation accuracy (sampled; chooses the kept checkpoint)';

/**
 * One seed's RL: the training reward per step, and the held-out test and validation accuracy measured at
 * each evaluation (step 0: after SFT), with the kept checkpoint marked.
 */
export function progressChart(rewards: readonly { step: number; reward: number }[], points: readonly EvalPoint[], keptStep: number, png: string): Promise<string> {
  const values = [
    ...rewards.map((r) => ({ step: r.step, y: r.reward, series: REWARD })),
    ...points.map((p) => {
      const se = p.test.accuracyStdErr;
      return { step: p.step, y: p.test.accuracy, lo: p.test.accuracy - se, hi: p.test.accuracy + se, series: TEST };
    }),
    ...points.filter((p) => Number.isFinite(p.validation)).map((p) => ({ step: p.step, y: p.validation, series: VALIDATION })),
  ];
  const color = { field: 'series', type: 'nominal', legend: LEGEND, scale: { domain: [REWARD, TEST, VALIDATION] } } as const;
  return render(
    {
      title: `RL: held-out accuracy measured every ${points.length > 1 ? points[1].step - points[0].step : 0} steps (kept: step ${keptStep})`,
      width: 480,
      height: 240,
      background: 'white',
      data: { values },
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: { field: 'step', type: 'quantitative', title: 'RL step' }, y: { field: 'y', type: 'quantitative', title: 'reward / accuracy' }, color } },
        {
          transform: [{ filter: `datum.series === '${TEST}'` }],
          mark: { type: 'rule' },
          encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
        },
        {
          data: { values: [{ step: keptStep, label: 'kept' }] },
          layer: [
            { mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { field: 'step', type: 'quantitative' } } },
            { mark: { type: 'text', align: 'left', dx: 3, y: 8, color: 'gray' }, encoding: { x: { field: 'step', type: 'quantitative' }, text: { field: 'label' } } },
          ],
        },
      ],
    } as TopLevelSpec,
    png,
  );
}

/** Held-out test accuracy along RL over several seeds: each seed's curve and the mean ± std band per step. */
export function seedsChart(runs: readonly { seed: number; points: readonly EvalPoint[] }[], png: string): Promise<string> {
  const steps = [...new Set(runs.flatMap((r) => r.points.map((p) => p.step)))].sort((a, b) => a - b);
  const band = steps.flatMap((step) => {
    const ys = runs.flatMap((r) => r.points.filter((p) => p.step === step).map((p) => p.test.accuracy));
    if (ys.length === 0) return [];
    const { mean, std } = meanStd(ys);
    return [{ step, mean, lo: mean - std, hi: mean + std, series: `mean ± std over seeds` }];
  });
  const lines = runs.flatMap((r) => r.points.map((p) => ({ step: p.step, y: p.test.accuracy, series: `seed ${r.seed}` })));
  const x = { field: 'step', type: 'quantitative', title: 'RL step' } as const;
  return render(
    {
      title: `Held-out test accuracy along RL, ${runs.length} seeds (step 0: SFT only; black: mean ± std)`,
      width: 480,
      height: 240,
      background: 'white',
      layer: [
        { data: { values: band }, mark: { type: 'area', opacity: 0.2, color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'held-out accuracy (sampled)' }, y2: { field: 'hi' } } },
        { data: { values: band }, mark: { type: 'line', color: 'black', strokeWidth: 3 }, encoding: { x, y: { field: 'mean', type: 'quantitative' } } },
        { data: { values: lines }, mark: { type: 'line', point: true, strokeWidth: 1 }, encoding: { x, y: { field: 'y', type: 'quantitative' }, color: { field: 'series', type: 'nominal', legend: LEGEND } } },
      ],
    } as TopLevelSpec,
    png,
  );
}
