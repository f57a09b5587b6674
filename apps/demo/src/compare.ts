import { join, resolve } from 'node:path';
import { describeBackend, initBackend, type Trajectory } from '@tirl/core';
import { ByteTokenizer, createTinyModel, type CausalLM } from '@tirl/policy';
import { evaluate, train, type EvalOptions } from '@tirl/trainer';
import { ACCURACY, buildRecipe, evalSummary, meanTokens, warmStart, type DemoOptions } from './demo';
import { demoPlugins } from './plugins/compact-xml-tags';
import { formatComparison, writeComparisonReport, type SystemResult } from './report-compare';
import { demonstrationTraces } from './sft';
import { makeTask, type DemoTask } from './tasks';

export interface ComparisonResult {
  single: SystemResult;
  matpo: SystemResult;
  sftLosses: number[];
  reportFiles: string[];
  seconds: { sft: number; total: number };
}

interface System {
  key: 'single' | 'matpo';
  label: string;
  recipeName: string;
  task: DemoTask;
}

/** Prints the greedy rollout of the first held-out question, every row (planner and workers). */
async function logExample(e: Omit<EvalOptions, 'dataset'>, task: DemoTask): Promise<void> {
  const { trajectories } = await evaluate({ ...e, dataset: task.heldOut.slice(0, 1), plugins: demoPlugins, temperature: 0 });
  for (const t of trajectories) {
    const generated = t.segments.filter((s) => s.source !== 'prompt').map((s) => s.text ?? '').join('');
    console.log(`    [${t.role}] ${JSON.stringify(generated)}`);
  }
}

/** `count` traces drawn in order, cycling: gives every system the same share of SFT rows. */
const cycled = (traces: readonly Trajectory[], count: number): Trajectory[] => Array.from({ length: count }, (_, i) => traces[i % traces.length]);

/**
 * Task (c): the same two-hop questions solved by one agent that searches twice, and by a MATPO planner
 * that delegates each hop to a worker (one shared model, told apart by role prompts). One SFT warm start
 * on both kinds of demonstrations (equal shares of rows), then the same RL budget for each system from a
 * copy of that model, and held-out evaluation of both before and after RL, in one report.
 */
export async function runMatpoComparison(o: DemoOptions): Promise<ComparisonResult> {
  const log = (line: string) => o.verbose && console.log(line);
  const started = Date.now();
  log(describeBackend(await initBackend(o.backend ?? {})));
  const tokenizer = new ByteTokenizer();
  const systems: System[] = [
    { key: 'single', label: `single agent (${o.recipe})`, recipeName: o.recipe === 'matpo' ? 'grpo' : o.recipe, task: makeTask('multihop', o.seed, o.entities, o.heldOut) },
    { key: 'matpo', label: 'MATPO planner + workers', recipeName: 'matpo', task: makeTask('multihop-matpo', o.seed, o.entities, o.heldOut) },
  ];
  const recipes = systems.map((s) => buildRecipe(s.recipeName, s.task, o));
  // Demonstrations and evaluation score exact match for every method (a method may train on another reward).
  const evalRecipes = systems.map((s) => buildRecipe(s.recipeName, s.task, o, 'evaluate'));
  const example = systems[0].task.train[0];
  log(`\nTask "matpo": ${example.messages[0].content} → ${String(example.answer)}; ${systems[0].task.train.length} training questions, ${systems[0].task.heldOut.length} held out.`);
  const traces: Trajectory[][] = [];
  for (const [i, s] of systems.entries()) traces.push(await demonstrationTraces(evalRecipes[i], s.task, tokenizer, s.task.train, ACCURACY, log));
  const rows = Math.max(...traces.map((t) => t.length));
  const mixed = traces.flatMap((t) => cycled(t, rows));
  log(`\n1/3 SFT warm start on both systems' demonstrations: ${o.sftSteps} steps × ${o.sftBatch} rows`);
  for (const [i, s] of systems.entries()) {
    log(`  ${s.label}: ${traces[i].length} rows (${meanTokens(traces[i]).toFixed(0)} tokens on average), e.g.`);
    for (const t of traces[i].filter((t) => t.rootId === traces[i][0].rootId)) log(`    [${t.role}] ${JSON.stringify(t.segments.map((x) => x.text).join(''))}`);
  }
  const model = createTinyModel({ vocabSize: tokenizer.vocabSize, ...o.model }, o.seed);
  try {
    const sftStart = Date.now();
    const sftLosses = warmStart(model, mixed, tokenizer, o);
    const sftSeconds = (Date.now() - sftStart) / 1000;
    log(`\n2/3 held-out evaluation after SFT`);
    const before = [];
    for (const [i, s] of systems.entries()) before.push(await evalSummary({ recipe: evalRecipes[i], model, tokenizer, seed: o.seed }, s.task, o.evalRepeats));
    for (const [i, s] of systems.entries()) {
      log(`  ${s.label}: accuracy ${before[i].accuracy.toFixed(3)} sampled, ${before[i].greedyAccuracy.toFixed(3)} greedy; e.g.`);
      if (o.verbose) await logExample({ recipe: evalRecipes[i], model, tokenizer, seed: o.seed }, s.task);
    }

    const results: SystemResult[] = [];
    for (const [i, s] of systems.entries()) {
      log(`\n3/3 RL for the ${s.label} with recipe "${s.recipeName}": ${o.steps} steps × ${o.promptsPerStep} prompts × ${o.groupSize} rollouts`);
      const copy: CausalLM = model.clone({ trainable: true });
      try {
        const runDir = resolve(o.out, s.key);
        const rlStart = Date.now();
        const rl = await train({ recipe: recipes[i], model: copy, tokenizer, dataset: s.task.train, runDir, plugins: demoPlugins, progress: o.verbose, overwrite: true });
        const rlSeconds = (Date.now() - rlStart) / 1000;
        const after = await evalSummary({ recipe: evalRecipes[i], model: copy, tokenizer, seed: o.seed }, s.task, o.evalRepeats);
        if (o.verbose) {
          log(`  after RL: accuracy ${after.accuracy.toFixed(3)} sampled, ${after.greedyAccuracy.toFixed(3)} greedy; e.g.`);
          await logExample({ recipe: evalRecipes[i], model: copy, tokenizer, seed: o.seed }, s.task);
        }
        results.push({ key: s.key, label: s.label, recipe: s.recipeName, runDir, before: before[i], after, rlHistory: rl.history, rlSeconds });
      } finally {
        copy.dispose();
      }
    }
    const outDir = resolve(o.out, 'report');
    const reportFiles = await writeComparisonReport(outDir, results, { task: 'matpo', seed: o.seed, sftSteps: o.sftSteps, rlSteps: o.steps, sftSeconds });
    const seconds = { sft: sftSeconds, total: (Date.now() - started) / 1000 };
    log(`\n${formatComparison(results)}`);
    log(`\n(SFT ${seconds.sft.toFixed(0)} s, RL ${results.map((r) => `${r.key} ${r.rlSeconds.toFixed(0)} s`).join(', ')}, total ${seconds.total.toFixed(0)} s)`);
    log(`\nReport: ${join(outDir, 'index.html')}`);
    return { single: results[0], matpo: results[1], sftLosses, reportFiles, seconds };
  } finally {
    model.dispose();
  }
}
