import { join, resolve } from 'node:path';
import { describeBackend, formatRun, initBackend, type BackendName, type ResolvedRun, type Sample, type Tokenizer, type Trajectory } from '@tirl/core';
import { ByteTokenizer, createTinyModel, type CausalLM } from '@tirl/policy';
import { evaluate } from '@tirl/trainer';
import { demoPlugins } from './plugins/compact-xml-tags';
import { composeDemoRun } from './compose';
import { formatTable, toolCallsByNeed, writeDemoReport, type Summary } from './report';
import { evaluationSteps } from './rl/schedule';
import { clusteredStandardError } from './rl/seed-stats';
import { trainWithEvaluation, type EvalPoint } from './rl/train-with-eval';
import { demonstrationTraces, supervisedFineTune } from './sft';
import { makeTask, type DemoTask } from './tasks';

export interface DemoOptions {
  task: string;
  /** A built-in method by name (grpo, dapo, rloo, otc-po, matpo, ...), run at the demo's scale. */
  recipe: string;
  seed: number;
  /** RL steps. */
  steps: number;
  sftSteps: number;
  entities: number;
  /** Held-out entities (at most a quarter of `entities`). */
  heldOut: number;
  /** `--task arithmetic`: share of easy questions the teacher answers with a needless python call (default 0). */
  needlessCallShare?: number;
  /** `--task search`: share of questions on names the teacher is unsure of that it guesses (default 0.75). */
  guessShare?: number;
  /** Each held-out question is evaluated this many times sampled at temperature 1 (and once greedily). */
  evalRepeats: number;
  /** Evaluate held-out test and validation accuracy every this many RL steps (0: before and after RL only). */
  evalEvery: number;
  /**
   * Training questions set aside as the validation split (never trained on) that chooses the kept
   * checkpoint; 0 turns selection off (the last RL step is reported).
   */
  validation: number;
  /** A later checkpoint is kept only when its validation accuracy beats the kept one's by more than this. */
  minGain: number;
  /** Stop RL after this many evaluations without a newly kept checkpoint (0: run all steps). */
  patience: number;
  /** `matpo` only: follow the paper (default) or the released code where they differ. */
  compat?: 'paper' | 'released-code';
  model: { hiddenSize: number; intermediateSize: number; numHiddenLayers: number; numAttentionHeads: number; numKeyValueHeads: number };
  promptsPerStep: number;
  groupSize: number;
  rlLr: number;
  /** Weight of the character-match partial credit added to the exact-match reward in RL. */
  partialCredit: number;
  sftLr: number;
  sftBatch: number;
  out: string;
  backend?: { prefer?: BackendName; force?: BackendName };
  /** Progress lines and the table on stdout (default true). */
  verbose: boolean;
}

export const DEFAULT_OPTIONS: DemoOptions = {
  task: 'search',
  recipe: 'grpo',
  seed: 1,
  steps: 100,
  sftSteps: 2000,
  entities: 4000,
  heldOut: 64,
  evalRepeats: 2,
  evalEvery: 10,
  validation: 64,
  minGain: 0.02,
  patience: 0,
  model: { hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 },
  promptsPerStep: 8,
  groupSize: 8,
  rlLr: 1e-3,
  partialCredit: 0.5,
  sftLr: 5e-3,
  sftBatch: 16,
  out: 'runs/demo',
  verbose: true,
};

/**
 * Per-task defaults over DEFAULT_OPTIONS (explicit flags and `--quick` still win). Single-agent two-hop
 * SFT alone reaches high held-out accuracy after ~1500 steps, so its warm start is shorter and RL has
 * something left to do; the comparison splits its warm start between two systems, so it gets more.
 */
export const TASK_DEFAULTS: Record<string, Partial<DemoOptions>> = {
  multihop: { sftSteps: 1000, steps: 60 },
  'multihop-matpo': { sftSteps: 2000, steps: 60, recipe: 'matpo' },
  matpo: { sftSteps: 8000, steps: 60 },
  // 2500 steps already reach 100% held-out accuracy, which leaves RL nothing to show.
  arithmetic: { sftSteps: 800 },
};

/** `--quick`: the same pipeline, small enough for under two minutes. */
export const QUICK_OPTIONS: Partial<DemoOptions> = {
  steps: 6,
  sftSteps: 40,
  entities: 200,
  heldOut: 16,
  validation: 16,
  evalEvery: 3,
  promptsPerStep: 4,
  groupSize: 4,
  evalRepeats: 1,
};

export interface DemoResult {
  seed: number;
  before: Summary;
  after: Summary;
  /** Held-out test and validation accuracy along RL (step 0: after SFT). */
  points: EvalPoint[];
  /** The RL step of the reported model (0: the SFT warm start was kept). */
  keptStep: number;
  rlHistory: Record<string, number>[];
  sftLosses: number[];
  reportFiles: string[];
  seconds: { sft: number; rl: number; total: number };
}

interface EvalInput {
  recipe: ResolvedRun;
  model: CausalLM;
  tokenizer: Tokenizer;
  seed: number;
}

/** Accuracy is exact match only; the partial credit is a training signal. */
export const ACCURACY = 'reward/exact-match';

const repeat = (samples: readonly Sample[], times: number): Sample[] =>
  samples.flatMap((s) => Array.from({ length: times }, (_, r) => ({ ...s, id: `${s.id}.r${r}`, meta: { ...s.meta, questionId: s.id } })));

/**
 * Held-out evaluation with the trainer's `evaluate`: sampled accuracy over `repeats` rollouts per
 * question, greedy accuracy over one, tool-use counts, and faithful tool use judged by the task.
 */
export async function evalSummary(o: EvalInput, task: DemoTask, repeats: number): Promise<Summary> {
  const dataset = repeat(task.heldOut, repeats);
  const sampled = await evaluate({ ...o, dataset, plugins: demoPlugins, accuracyReward: ACCURACY });
  const greedy = await evaluate({ ...o, dataset: task.heldOut, plugins: demoPlugins, temperature: 0, accuracyReward: ACCURACY });
  const samples = new Map(dataset.map((s) => [s.id, s]));
  const roots = sampled.trajectories.filter((t) => t.parentId === undefined);
  const correct = new Map<string, number[]>();
  for (const t of roots) {
    const question = String(samples.get(t.sampleId)?.meta?.questionId ?? t.sampleId);
    correct.set(question, [...(correct.get(question) ?? []), (t.rewardComponents?.[ACCURACY] ?? 0) >= 0.5 ? 1 : 0]);
  }
  const faithful = roots.filter((t) => t.toolCalls.some((c) => c.ok && task.isFaithfulCall(samples.get(t.sampleId)!, c.args)));
  const m = sampled.metrics;
  return {
    accuracy: m['eval/accuracy'],
    accuracyStdErr: clusteredStandardError(correct),
    greedyAccuracy: greedy.metrics['eval/accuracy'],
    toolCallsPerAnswer: m['eval/tool_calls_per_answer'],
    invalidToolCallsPerAnswer: m['eval/invalid_tool_calls_per_answer'],
    faithfulToolUse: faithful.length / Math.max(1, roots.length),
    ...toolCallsByNeed(sampled.trajectories, samples),
    answers: m['eval/answers'],
  };
}

/** Sampled accuracy on `samples`, each rolled out `repeats` times: how the demo picks its checkpoint. */
export async function sampledAccuracy(o: EvalInput, samples: readonly Sample[], repeats: number): Promise<number> {
  const { metrics } = await evaluate({ ...o, dataset: repeat(samples, repeats), plugins: demoPlugins, accuracyReward: ACCURACY });
  return metrics['eval/accuracy'];
}

/**
 * Sets the first `count` training questions aside as the validation split (their entities are then seen in
 * neither SFT nor RL); the held-out test set is untouched.
 */
export function withValidationSplit(task: DemoTask, count: number): { task: DemoTask; validation: Sample[] } {
  if (count >= task.train.length) throw new Error(`demo: --validation ${count} leaves no training questions (${task.train.length} in all)`);
  return { task: { ...task, train: task.train.slice(count) }, validation: task.train.slice(0, count) };
}

/** The built-in method `name` on `task` at the demo's scale (`evaluate`: scored by the task's rewards, see `composeDemoRun`). */
export function buildRecipe(name: string, task: DemoTask, o: DemoOptions, purpose: 'train' | 'evaluate' = 'train'): ResolvedRun {
  const settings = { seed: o.seed, steps: o.steps, promptsPerStep: o.promptsPerStep, groupSize: o.groupSize, lr: o.rlLr, partialCredit: o.partialCredit };
  return composeDemoRun(name, task, settings, purpose, name === 'matpo' && o.compat ? { compat: o.compat } : {});
}

export const meanTokens = (traces: readonly Trajectory[]): number =>
  traces.reduce((n, t) => n + t.segments.reduce((k, s) => k + s.tokenIds.length, 0), 0) / Math.max(1, traces.length);

/** The SFT warm start with the run's settings, a progress line every 25 steps; returns the losses. */
export function warmStart(model: CausalLM, traces: readonly Trajectory[], tokenizer: Tokenizer, o: DemoOptions): number[] {
  return supervisedFineTune(model, traces, tokenizer, {
    steps: o.sftSteps,
    batchSize: o.sftBatch,
    lr: o.sftLr,
    seed: o.seed,
    onStep: (step, loss) => {
      if (o.verbose && (step % 25 === 0 || step === o.sftSteps)) console.log(`  sft step ${String(step).padStart(4)}  loss ${loss.toFixed(4)}`);
    },
  });
}

/**
 * SFT warm start on generated traces, then RL with the recipe, evaluated on the held-out test set and the
 * validation split every `evalEvery` steps (step 0 is SFT only); the reported model is the checkpoint with
 * the best validation accuracy (the warm start included), then the report.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const o = options;
  const log = (line: string) => o.verbose && console.log(line);
  const started = Date.now();
  log(describeBackend(await initBackend(o.backend ?? {})));
  const full = makeTask(o.task, o.seed, o.entities, o.heldOut, { needlessCallShare: o.needlessCallShare, guessShare: o.guessShare });
  const { task, validation } = withValidationSplit(full, o.validation);
  const tokenizer = new ByteTokenizer();
  const recipe = buildRecipe(o.recipe, task, o);
  const evalRecipe = buildRecipe(o.recipe, task, o, 'evaluate');
  const model = createTinyModel({ vocabSize: tokenizer.vocabSize, ...o.model }, o.seed);
  try {
    log(`\nTask "${task.name}": ${task.train.length} training questions, ${validation.length} for validation, ${task.heldOut.length} held out (all different entities).`);
    log(`Example: ${task.train[0].messages[0].content} → ${String(task.train[0].answer)}`);
    const traces = await demonstrationTraces(evalRecipe, task, tokenizer, task.train, ACCURACY, log);
    log(`\n1/3 SFT warm start: ${o.sftSteps} steps × ${o.sftBatch} of ${traces.length} generated tool-use traces (${meanTokens(traces).toFixed(0)} tokens each on average)`);
    log(`  e.g. ${JSON.stringify(traces[0].segments.map((s) => s.text).join(''))}`);
    const sftStart = Date.now();
    const sftLosses = warmStart(model, traces, tokenizer, o);
    const sftSeconds = (Date.now() - sftStart) / 1000;
    const evalOptions = { recipe: evalRecipe, model, tokenizer, seed: o.seed };

    const runDir = resolve(o.out);
    const schedule = evaluationSteps(o.steps, o.evalEvery);
    const keepBest = validation.length > 0;
    log(`\n2/3 RL with method "${o.recipe}": ${o.steps} steps × ${o.promptsPerStep} prompts × ${o.groupSize} rollouts`);
    log(`  evaluated at steps ${schedule.join(', ')}: held-out (${task.heldOut.length} questions × ${o.evalRepeats} sampled, and greedy)` +
      (keepBest ? `, validation (${validation.length} × ${o.evalRepeats}) keeps the best checkpoint (gain > ${o.minGain} to move)` : ''));
    log(formatRun(recipe));
    const rlStart = Date.now();
    const run = await trainWithEvaluation({
      train: { recipe, model, tokenizer, dataset: task.train, runDir, plugins: demoPlugins, progress: o.verbose, overwrite: true },
      schedule,
      test: () => evalSummary(evalOptions, task, o.evalRepeats),
      validation: () => (keepBest ? sampledAccuracy(evalOptions, validation, o.evalRepeats) : Promise.resolve(NaN)),
      keepBest,
      rule: { minGain: o.minGain, patience: o.patience },
      log,
    });
    const rlSeconds = (Date.now() - rlStart) / 1000;
    const before = run.points[0].test;
    const after = run.after;

    log(`\n3/3 report`);
    const reportFiles = await writeDemoReport(runDir, join(runDir, 'report'), before, after, run.points, {
      task: task.name,
      recipe: o.recipe,
      seed: o.seed,
      rlSteps: run.rl.steps,
      keptStep: run.keptStep,
      sftSteps: o.sftSteps,
      seconds: { sft: sftSeconds, rl: rlSeconds },
    });
    const seconds = { sft: sftSeconds, rl: rlSeconds, total: (Date.now() - started) / 1000 };
    const delta = after.accuracy - before.accuracy;
    log(`\n${formatTable(before, after)}`);
    const kept = keepBest ? ` The reported model is RL step ${run.keptStep} of ${run.rl.steps}${run.keptStep === 0 ? ' (the SFT warm start: no RL checkpoint beat it on validation)' : ''}, chosen by validation accuracy.` : '';
    log(`\nRL changed held-out sampled accuracy by ${(delta >= 0 ? '+' : '') + delta.toFixed(3)}.${kept}` +
      ` (SFT ${seconds.sft.toFixed(0)} s, RL ${seconds.rl.toFixed(0)} s, total ${seconds.total.toFixed(0)} s)`);
    log(`\nReport: ${join(runDir, 'report', 'index.html')}`);
    for (const f of reportFiles) log(`  ${f}`);
    return { seed: o.seed, before, after, points: run.points, keptStep: run.keptStep, rlHistory: run.rl.history, sftLosses, reportFiles, seconds };
  } finally {
    model.dispose();
  }
}
