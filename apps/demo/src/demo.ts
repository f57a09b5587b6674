import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { describeBackend, initBackend, resolveRecipe, type BackendName, type Sample, type Trajectory } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { train } from '@tirl/trainer';
import { demoRecipe } from './recipes';
import { formatTable, writeDemoReport, type Summary } from './report';
import { demonstrationTraces, supervisedFineTune } from './sft';
import { makeTask, type DemoTask } from './tasks';
import { rolloutAndScore, type EvalInput } from './evaluate';

export interface DemoOptions {
  task: string;
  recipe: string;
  seed: number;
  /** RL steps. */
  steps: number;
  sftSteps: number;
  entities: number;
  /** Each held-out question is evaluated this many times (sampled at temperature 1). */
  evalRepeats: number;
  model: { hiddenSize: number; intermediateSize: number; numHiddenLayers: number; numAttentionHeads: number; numKeyValueHeads: number };
  promptsPerStep: number;
  groupSize: number;
  rlLr: number;
  sftLr: number;
  out: string;
  backend?: { prefer?: BackendName; force?: BackendName };
  /** Progress lines and the table on stdout (default true). */
  verbose: boolean;
}

export const DEFAULT_OPTIONS: DemoOptions = {
  task: 'search',
  recipe: 'grpo',
  seed: 1,
  steps: 30,
  sftSteps: 120,
  entities: 160,
  evalRepeats: 2,
  model: { hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 },
  promptsPerStep: 8,
  groupSize: 8,
  rlLr: 3e-4,
  sftLr: 3e-3,
  out: 'runs/demo',
  verbose: true,
};

/** `--quick`: the same pipeline, small enough for under two minutes. */
export const QUICK_OPTIONS: Partial<DemoOptions> = { steps: 6, sftSteps: 40, entities: 64, promptsPerStep: 4, groupSize: 4, evalRepeats: 1 };

export interface DemoResult {
  before: Summary;
  after: Summary;
  rlHistory: Record<string, number>[];
  sftLosses: number[];
  reportFiles: string[];
  seconds: { sft: number; rl: number; total: number };
}

/** Held-out evaluation: accuracy from the recipe's reward, tool-use counts from the trajectories. */
async function evalSummary(o: EvalInput, task: DemoTask): Promise<Summary> {
  const trajectories = await rolloutAndScore(o);
  const samples = new Map(o.dataset.map((s) => [s.id, s]));
  const roots = trajectories.filter((t: Trajectory) => t.parentId === undefined);
  const calls = roots.flatMap((t) => t.toolCalls);
  const faithful = roots.filter((t) => t.toolCalls.some((c) => c.ok && task.isFaithfulCall(samples.get(t.sampleId)!, c.args)));
  const n = Math.max(1, roots.length);
  return {
    accuracy: roots.filter((t) => (t.reward ?? 0) >= 0.5).length / n,
    toolCallsPerAnswer: calls.length / n,
    invalidToolCallsPerAnswer: calls.filter((c) => !c.ok).length / n,
    faithfulToolUse: faithful.length / n,
    answers: roots.length,
  };
}

const repeat = (samples: readonly Sample[], times: number): Sample[] =>
  samples.flatMap((s) => Array.from({ length: times }, (_, r) => ({ ...s, id: times > 1 ? `${s.id}.r${r}` : s.id })));

/** SFT warm start on generated traces, held-out eval, RL with the recipe, held-out eval, report. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const o = options;
  const log = (line: string) => o.verbose && console.log(line);
  const started = Date.now();
  log(describeBackend(await initBackend(o.backend ?? {})));
  const task = makeTask(o.task, o.seed, o.entities);
  const tokenizer = new ByteTokenizer();
  const recipe = resolveRecipe(
    demoRecipe(o.recipe, task.toolPlugins, {
      seed: o.seed,
      steps: o.steps,
      promptsPerStep: o.promptsPerStep,
      groupSize: o.groupSize,
      lr: o.rlLr,
      maxNewTokens: 32,
    }),
    undefined,
    { recipes: [] },
  );
  const model = createTinyModel({ vocabSize: tokenizer.vocabSize, ...o.model }, o.seed);
  try {
    log(`\nTask "${task.name}": ${task.train.length} training questions, ${task.heldOut.length} held out (different entities).`);
    log(`Example: ${task.train[0].messages[0].content} → ${String(task.train[0].answer)}`);
    const traces = await demonstrationTraces(recipe, task, tokenizer, task.train);
    log(`\n1/3 SFT warm start: ${o.sftSteps} steps on ${traces.length} generated tool-use traces`);
    const sftStart = Date.now();
    const sftLosses = supervisedFineTune(model, traces, tokenizer, {
      steps: o.sftSteps,
      batchSize: 16,
      lr: o.sftLr,
      seed: o.seed,
      onStep: (step, loss) => {
        if (o.verbose && (step % 10 === 0 || step === o.sftSteps)) log(`  sft step ${String(step).padStart(4)}  loss ${loss.toFixed(4)}`);
      },
    });
    const sftSeconds = (Date.now() - sftStart) / 1000;
    const evalSet = repeat(task.heldOut, o.evalRepeats);
    const evalOptions = { recipe, model, tokenizer, dataset: evalSet, seed: o.seed };
    log(`\n2/3 held-out evaluation after SFT (${evalSet.length} rollouts)`);
    const before = await evalSummary(evalOptions, task);
    log(`  accuracy ${before.accuracy.toFixed(3)}`);

    const runDir = resolve(o.out);
    log(`\n3/3 RL with recipe "${o.recipe}": ${o.steps} steps × ${o.promptsPerStep} prompts × ${o.groupSize} rollouts`);
    const rlStart = Date.now();
    const rl = await train({ recipe, model, tokenizer, dataset: task.train, runDir, progress: o.verbose });
    const rlSeconds = (Date.now() - rlStart) / 1000;
    const after = await evalSummary(evalOptions, task);

    const reportFiles = await writeDemoReport(runDir, join(runDir, 'report'), before, after, {
      task: task.name,
      recipe: o.recipe,
      seed: o.seed,
      rlSteps: rl.steps,
      sftSteps: o.sftSteps,
    });
    const seconds = { sft: sftSeconds, rl: rlSeconds, total: (Date.now() - started) / 1000 };
    log(`\n${formatTable(before, after)}`);
    log(`\nRL changed held-out accuracy by ${(after.accuracy - before.accuracy >= 0 ? '+' : '') + (after.accuracy - before.accuracy).toFixed(3)}` +
      ` (SFT ${seconds.sft.toFixed(0)} s, RL ${seconds.rl.toFixed(0)} s, total ${seconds.total.toFixed(0)} s)`);
    log(`\nReport: ${join(runDir, 'report', 'index.html')}`);
    for (const f of reportFiles) log(`  ${f}`);
    return { before, after, rlHistory: rl.history, sftLosses, reportFiles, seconds };
  } finally {
    model.dispose();
  }
}
