import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample, Trajectory } from '@tirl/core';
import { readMetrics, writeReport } from '@tirl/trainer';
import { progressChart } from './charts';
import type { EvalPoint } from './rl/train-with-eval';

export interface Summary {
  /** Share of held-out rollouts (sampled at the recipe's temperature) whose answer matches exactly. */
  accuracy: number;
  /** Standard error of `accuracy`, rollouts grouped by question (see `clusteredStandardError`). */
  accuracyStdErr: number;
  /** Share of held-out questions answered exactly by greedy decoding. */
  greedyAccuracy: number;
  toolCallsPerAnswer: number;
  invalidToolCallsPerAnswer: number;
  faithfulToolUse: number;
  /** Tool calls per answer on questions the task marks `meta.needsTool: false` (needless calls); NaN when it marks none. */
  toolCallsEasy: number;
  /** Tool calls per answer on the other questions. */
  toolCallsHard: number;
  answers: number;
}

/**
 * Tool calls per answer split by whether the question needs the tool (`meta.needsTool`, default true),
 * counting every call in an answer's rollout tree; NaN for a split with no questions.
 */
export function toolCallsByNeed(trajectories: readonly Trajectory[], samples: ReadonlyMap<string, Sample>): Pick<Summary, 'toolCallsEasy' | 'toolCallsHard'> {
  const calls = new Map<string, number>();
  for (const t of trajectories) calls.set(t.rootId, (calls.get(t.rootId) ?? 0) + t.toolCalls.length);
  const split = { easy: [0, 0], hard: [0, 0] };
  for (const root of trajectories.filter((t) => t.parentId === undefined)) {
    const side = samples.get(root.sampleId)?.meta?.needsTool === false ? split.easy : split.hard;
    side[0] += calls.get(root.id) ?? 0;
    side[1] += 1;
  }
  return { toolCallsEasy: split.easy[0] / split.easy[1], toolCallsHard: split.hard[0] / split.hard[1] };
}

export const ROWS: [keyof Summary, string][] = [
  ['accuracy', 'held-out accuracy (sampled, T=1)'],
  ['greedyAccuracy', 'held-out accuracy (greedy)'],
  ['toolCallsPerAnswer', 'tool calls per answer'],
  ['invalidToolCallsPerAnswer', 'invalid tool calls per answer'],
  ['faithfulToolUse', 'faithful tool use'],
];

/** Tool efficiency for tasks with questions that need no tool; left out of the table for tasks without them. */
const TOOL_NEED_ROWS: [keyof Summary, string][] = [
  ['toolCallsEasy', 'tool calls/answer, easy questions'],
  ['toolCallsHard', 'tool calls/answer, hard questions'],
];

/** The before/after table as fixed-width text. */
export function formatTable(before: Summary, after: Summary): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a').padStart(10);
  const lines = [`${'metric'.padEnd(34)}${'SFT only'.padStart(10)}${'SFT + RL'.padStart(10)}`];
  const hasEasy = Number.isFinite(before.toolCallsEasy) || Number.isFinite(after.toolCallsEasy);
  for (const [key, label] of hasEasy ? [...ROWS, ...TOOL_NEED_ROWS] : ROWS) lines.push(`${label.padEnd(34)}${f(before[key])}${f(after[key])}`);
  lines.push(`${'held-out rollouts (sampled)'.padEnd(34)}${String(before.answers).padStart(10)}${String(after.answers).padStart(10)}`);
  return lines.join('\n');
}

/**
 * Writes the trainer's per-metric charts, `rl_progress.png`, `index.html` (table and charts) and
 * `summary.json` into `outDir`; returns the files.
 */
export async function writeDemoReport(
  runDir: string,
  outDir: string,
  before: Summary,
  after: Summary,
  points: readonly EvalPoint[],
  extra: Record<string, unknown> & { keptStep: number },
): Promise<string[]> {
  const files = (await writeReport(runDir, outDir)).filter((f) => !f.endsWith('index.html'));
  const progress = join(outDir, 'rl_progress.png');
  const rewards = readMetrics(runDir).filter((r) => Number.isFinite(r['reward/mean'])).map((r) => ({ step: r.step, reward: r['reward/mean'] }));
  await progressChart(rewards, points, extra.keptStep, progress);
  files.unshift(progress);
  const images = files.map((f) => f.slice(outDir.length + 1));
  const html = `<!doctype html><meta charset="utf-8"><title>tirl demo report</title>
<style>body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:16px}img{max-width:480px}pre{width:100%}</style>
<h1 style="width:100%">tirl demo: ${String(extra.task)} / ${String(extra.recipe)}</h1><pre>${formatTable(before, after)}</pre>
${images.map((f) => `<figure><figcaption>${f}</figcaption><img src="${f}"></figure>`).join('\n')}`;
  files.push(join(outDir, 'index.html'));
  writeFileSync(files.at(-1)!, html);
  files.push(join(outDir, 'summary.json'));
  const curve = points.map((p) => ({ step: p.step, test: p.test.accuracy, testStdErr: p.test.accuracyStdErr, testGreedy: p.test.greedyAccuracy, validation: p.validation, kept: p.kept }));
  writeFileSync(files.at(-1)!, JSON.stringify({ ...extra, before, after, curve }, null, 2) + '\n');
  return files;
}
