import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectionToken } from 'tsyringe';
import {
  TirlError,
  createExperiment,
  errorMessage,
  Tokens,
  type AnyPluginDefinition,
  type Experiment,
  type PackageSource,
  type ResolvedRecipe,
  type Sample,
  type ServiceEntry,
  type Tokenizer,
} from '@tirl/core';
import { outOfMemoryError, Policy, VlmPolicy, VlmTrainable, type CausalLM, type HfTokenizer, type Idefics3Processor, type VisionLanguageModel } from '@tirl/policy';
import { loadCheckpoint, saveCheckpoint } from './checkpoint/checkpoint';
import { keepMetricsBefore, prepareFreshRun, resumePoint } from './checkpoint/run-folder';
import { Critic } from './loop/critic';
import { describeProblems, type StepProblem } from './loop/step-problems';
import { Trainer } from './loop/trainer';
import { ProgressLine } from './metrics/progress';
import { TRAJECTORY_LOG_FILE, type StepTrajectories } from './trajectory-log/format';
import { connectQueue, type QueueOptions } from './rollouts/queue';
import { checkSwarmSettings, connectSwarm, type SwarmOptions } from './rollouts/swarm';
import { parseTrainerSettings } from './settings';

export interface TrainOptions {
  recipe: ResolvedRecipe;
  model: CausalLM;
  tokenizer: Tokenizer;
  dataset: readonly Sample[];
  /** Where metrics.jsonl, trajectories.jsonl, recipe.json and checkpoints/ go. */
  runDir: string;
  /** Continue from the newest checkpoint in `runDir/checkpoints`. */
  resume?: boolean;
  /** A fresh run deletes the checkpoints of an earlier run in `runDir` (without it, such a folder is refused). */
  overwrite?: boolean;
  /** Failing rewards, skipped samples and dropped trajectories stop the run (before the step's update) instead of being printed. */
  strict?: boolean;
  /** Where notes go (each step's problems, resume decisions, dropped lines); default: stdout. */
  log?: (line: string) => void;
  /** Extra plugin definitions (third-party, or the host's own). */
  plugins?: readonly AnyPluginDefinition[];
  /** Where plugin packages are found; default: the installed packages with a `tirl` manifest. */
  packages?: PackageSource;
  /** Services registered after the trainer's own (tokenizer, training policy): each replaces the trainer's under its token. */
  services?: readonly [InjectionToken<unknown>, unknown][];
  /** Package services by name (`defineService`), registered last: e.g. from the experiment file's `services`. */
  serviceOverrides?: readonly ServiceEntry[];
  /**
   * Called after every step (and its metrics line) and awaited before the next one, e.g. to evaluate the
   * model; returning (or resolving to) `'stop'` ends the run after this step; other values are ignored.
   */
  onStep?: (step: number, metrics: Record<string, number>) => unknown;
  /** Show a progress line (default: true). */
  progress?: boolean;
  maxContext?: number;
  /**
   * A vision-language model (Idefics3 / SmolVLM): `model` is its decoder (`vision.model.text`). Rollouts
   * show the samples' and tools' images to it, updates score each trajectory with its images, and
   * checkpoints are the whole vision-language folder.
   */
  vision?: { model: VisionLanguageModel; processor: Idefics3Processor };
  /** Rollouts on worker processes through Redis (`@tirl/scale-out`); absent: in this process. */
  queue?: QueueOptions;
  /** This run is a node of a Swarm SAPO swarm (`@tirl/scale-out`): it shares its rollouts and trains on peers'. */
  swarm?: SwarmOptions;
}

export interface TrainResult {
  steps: number;
  history: Record<string, number>[];
  /** Set when a signal stopped the run early (after checkpointing). */
  interruptedBy?: string;
}

const KEY_METRICS = ['reward/mean', 'loss/total', 'rollout/tool_calls_per_trajectory', 'time/step_s'];

/**
 * Runs a recipe: builds the experiment, trains for `settings.steps`, writes metrics JSONL, checkpoints
 * every `checkpoint.every` steps and on SIGINT/SIGTERM, and resumes from the last checkpoint.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const settings = withQueueDefaults(parseTrainerSettings(o.recipe.settings), o.queue);
  if (o.queue && o.swarm) throw new TirlError('A run is either a queue learner (--queue) or a swarm node (--swarm), not both.', 'invalid-options');
  checkSwarmSettings(settings, o.swarm, o.recipe.name);
  mkdirSync(o.runDir, { recursive: true });
  writeFileSync(join(o.runDir, 'recipe.json'), JSON.stringify(o.recipe, null, 2) + '\n');
  checkVision(o);
  const policyOptions = o.maxContext ? { maxContext: o.maxContext } : {};
  const policy = o.vision ? new VlmPolicy(o.vision.model, o.vision.processor, o.tokenizer as HfTokenizer, policyOptions) : new Policy(o.model, o.tokenizer, policyOptions);
  const trainable = o.vision ? new VlmTrainable(o.vision.model, o.vision.processor) : o.model;
  const exp = createExperiment(o.recipe, {
    plugins: o.plugins,
    packages: o.packages,
    services: [[Tokens.tokenizer, o.tokenizer], [Tokens.trainingPolicy, policy], ...(o.services ?? [])],
    serviceOverrides: o.serviceOverrides,
  });
  // LoRA: the base with adapters off (no copy); full fine-tuning: a frozen copy.
  const referenceModel = exp.requirements.has('refLogProbs') ? ('referenceModel' in trainable ? trainable.referenceModel() : undefined) : undefined;
  if (o.vision && exp.requirements.has('values')) {
    await exp.dispose();
    throw new TirlError(`train: recipe "${o.recipe.name}" needs value estimates (a critic), which read token ids without the images; vision-language models train with critic-free advantages (GRPO, RLOO, ...)`, 'invalid-options');
  }
  const critic = exp.requirements.has('values') ? new Critic(o.model, settings) : undefined;
  // Lines go to the experiment's logger service (a package or the host may replace it) unless `log` is given.
  const logger = exp.container.resolve(Tokens.logger);
  const log = o.log ?? ((line: string) => logger.info(line));
  const onProblems = (step: number, problems: StepProblem[]) => {
    const lines = describeProblems(step, problems);
    if (o.strict) throw new TirlError(`${lines.join('\n')}\n(--strict stops on failing rewards, skipped samples and dropped trajectories; fix the data or reward, or run without --strict)`, 'invalid-data');
    for (const line of lines) log(line);
  };
  const rollouts = o.queue
    ? await connectQueue(o.queue, { recipe: o.recipe, model: o.model, tokenizer: o.tokenizer, maxContext: o.maxContext })
    : o.swarm
      ? await connectSwarm({ log, ...o.swarm }, { exp, policy, settings, tokenizer: o.tokenizer })
      : undefined;
  const trajectoriesFile = join(o.runDir, TRAJECTORY_LOG_FILE);
  const onTrajectories = (record: StepTrajectories) => appendFileSync(trajectoriesFile, JSON.stringify(record) + '\n');
  const trainer = new Trainer({ exp, settings, policy, model: trainable, referenceModel, critic, dataset: o.dataset, onProblems, rollouts, onTrajectories });
  const checkpoints = join(o.runDir, 'checkpoints');
  const metricsFile = join(o.runDir, 'metrics.jsonl');
  if (o.resume) {
    await resumeFrom(checkpoints, metricsFile, o.model, trainer, exp, log, critic, o.vision?.model);
    keepMetricsBefore(trajectoriesFile, trainer.step, log);
  } else {
    prepareFreshRun(checkpoints, o.overwrite === true);
    writeFileSync(metricsFile, '');
    writeFileSync(trajectoriesFile, '');
  }
  if (rollouts && trainer.step > 0) await rollouts.publish(trainer.step);
  // Tools get ready (e.g. the Python interpreters load) before the first step, not inside its calls.
  await Promise.all(exp.getAll('tool').map((t) => t.warmUp?.().catch((e: unknown) => log(`tool ${t.name} could not get ready: ${errorMessage(e)}; its calls will report it`))));

  let signal: string | undefined;
  let stoppedByHost = false;
  const onSignal = (s: string) => (signal = s);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = o.progress === false ? undefined : new ProgressLine(settings.steps, exp.recipe.name);
  const history: Record<string, number>[] = [];
  const save = () =>
    saveCheckpoint(
      checkpoints,
      {
        model: o.model,
        vision: o.vision,
        tokenizer: o.tokenizer,
        optimizer: trainer.optimizer,
        exp,
        step: trainer.step,
        nonFiniteInARow: 0,
        extraWeights: critic?.namedWeights(),
      },
      settings.checkpoint.keep,
    );
  try {
    while (trainer.step < settings.steps && !signal && !stoppedByHost) {
      const metrics = await trainer.trainStep().catch((e: unknown) => {
        throw outOfMemoryError(e, tf.getBackend(), `in step ${trainer.step}`) ?? e;
      });
      appendFileSync(metricsFile, JSON.stringify(metrics) + '\n');
      history.push(metrics);
      progress?.update(trainer.step, metrics, KEY_METRICS);
      stoppedByHost = (await o.onStep?.(trainer.step, metrics)) === 'stop';
      if (settings.checkpoint.every > 0 && trainer.step % settings.checkpoint.every === 0) await save();
    }
    if (signal) await save();
    if (o.progress !== false) log(`${exp.recipe.name}: trained ${trainer.step} steps${signal ? ` (stopped by ${signal}, checkpoint saved)` : ''}; metrics in ${metricsFile}`);
    return { steps: trainer.step, history, ...(signal ? { interruptedBy: signal } : {}) };
  } finally {
    progress?.done();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    referenceModel?.dispose();
    critic?.dispose();
    trainer.optimizer.dispose();
    await rollouts?.close();
    await exp.dispose();
  }
}

/** A vision-language run: its decoder is `model`, and the parts that read token ids alone are refused. */
function checkVision(o: TrainOptions): void {
  if (!o.vision) return;
  if (o.vision.model.text !== o.model) throw new TirlError('train: with a vision-language model, `model` must be its decoder (vision.model.text)', 'invalid-options');
  const refuse = (what: string) => {
    throw new TirlError(`train: ${what} is not supported for vision-language models yet (it reads token ids without the images); train this model without it`, 'invalid-options');
  };
  if (o.queue) refuse('rollouts on queue workers (--queue)');
  if (o.swarm) refuse('a swarm node (--swarm)');
  if (typeof (o.tokenizer as Partial<HfTokenizer>).tokenId !== 'function') throw new TirlError('train: a vision-language model needs its own tokenizer (tokenizer.json in the model folder)', 'invalid-data');
}

/** With a queue, groups spread over workers one per job unless the recipe says otherwise. */
function withQueueDefaults<T extends ReturnType<typeof parseTrainerSettings>>(settings: T, queue: QueueOptions | undefined): T {
  if (!queue || settings.scaleOut.groupsPerJob !== null) return settings;
  return { ...settings, scaleOut: { ...settings.scaleOut, groupsPerJob: 1 } };
}

async function resumeFrom(
  dir: string,
  metricsFile: string,
  model: CausalLM,
  trainer: Trainer,
  exp: Experiment,
  log: (line: string) => void,
  critic?: Critic,
  vision?: VisionLanguageModel,
): Promise<void> {
  const path = resumePoint(dir, log);
  const step = path ? (await loadCheckpoint(path, model, trainer.optimizer, exp, critic?.namedWeights(), vision)).step : 0;
  trainer.step = step;
  keepMetricsBefore(metricsFile, step, log);
}
