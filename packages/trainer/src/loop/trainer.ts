import * as tf from '@tensorflow/tfjs-core';
import {
  buildBatch,
  TirlError,
  type Batch,
  type Experiment,
  type MetricSink,
  type PolicyGenerator,
  type Regularizer,
  type Rng,
  type RolloutTree,
  type Sample,
  sliceRows,
} from '@tirl/core';
import { AdamW } from '../optim/adamw';
import type { Critic } from './critic';
import { learningRate } from '../optim/schedule';
import type { TrainerSettings } from '../settings';
import { embeddedRolloutSource, type RolloutSource } from '../rollouts/rollout-source';
import { stalenessMetrics } from '../rollouts/staleness';
import { collect, startRound, type StartedRound } from './collect';
import { problemMetrics, stepProblems, type StepProblem } from './step-problems';
import { batchLogProbs, type TrainableModel } from './model';
import { miniBatchRows, updatePolicy } from './update';
import { zeroMaskedRows } from './masked-rows';
import { stepRecord, treesToLog, type RowTokenStats } from '../trajectory-log/record';
import type { StepTrajectories } from '../trajectory-log/format';
import { preferenceStep } from './preference-step';

export interface TrainerOptions {
  exp: Experiment;
  settings: TrainerSettings;
  /** The generating side of the policy (shares weights with `model`). */
  policy: PolicyGenerator;
  model: TrainableModel;
  /** A frozen copy for KL; needed only when a plugin requires `refLogProbs`. */
  referenceModel?: TrainableModel;
  /** The value model; needed only when a plugin requires `values` (GAE). */
  critic?: Critic;
  dataset: readonly Sample[];
  /**
   * Called once per step, after scoring and before the update, with what went wrong (failing rewards,
   * skipped samples, dropped trajectories); throwing stops the step before anything is trained.
   */
  onProblems?: (step: number, problems: StepProblem[]) => void;
  /** Where rollouts run; default: in this process on `policy`. */
  rollouts?: RolloutSource;
  /** Receives each step's trajectory-log line (`settings.trajectoryLog`), after the update. */
  onTrajectories?: (record: StepTrajectories) => void;
}

/**
 * The thin loop: every step asks the experiment for one plugin of each kind and calls them. It names no
 * method and computes only the inputs some plugin declared it requires.
 */
export class Trainer {
  step = 0;
  readonly optimizer: AdamW;
  private nonFiniteInARow = 0;
  private readonly rng: Rng;
  readonly rollouts: RolloutSource;
  /** Round 0 of steps whose rollouts were started ahead (at most `maxStaleness` steps ahead). */
  private readonly ahead = new Map<number, StartedRound>();

  constructor(private readonly o: TrainerOptions) {
    const { exp, settings } = o;
    if (exp.requirements.has('values') && !o.critic) {
      throw new TirlError(`Recipe "${exp.recipe.name}" needs value estimates: pass a critic.`, 'missing-input');
    }
    if (exp.requirements.has('refLogProbs') && !o.referenceModel) {
      throw new TirlError(`Recipe "${exp.recipe.name}" needs reference log-probs: pass a frozen referenceModel.`, 'missing-input');
    }
    this.optimizer = new AdamW(settings.optimizer);
    this.rng = exp.rng;
    exp.get('sampler').setDataset(o.dataset);
    this.rollouts = o.rollouts ?? embeddedRolloutSource(exp, o.policy);
    if (settings.scaleOut.maxStaleness > 0 && !o.rollouts) {
      throw new TirlError(
        `scaleOut.maxStaleness is ${settings.scaleOut.maxStaleness}, but rollouts run in this process, where they cannot overlap ` +
          'with updates. Give a rollout queue (tirl train --queue redis://HOST:PORT) or set scaleOut.maxStaleness to 0.',
        'invalid-options',
      );
    }
  }

  get updatesPerStep(): number {
    return this.o.settings.ppoEpochs * this.o.settings.miniBatches;
  }

  /** One step: collect, score, filter, estimate advantages, update. Returns the step's metrics. */
  async trainStep(): Promise<Record<string, number>> {
    const { exp, settings } = this.o;
    const rng = this.stepRng(this.step);
    const t0 = performance.now();
    if (exp.maybe('preference') && exp.get('pairs').phase?.(this.step) !== 'policy-gradient') return this.preferenceStep(rng, t0);
    this.startAhead();
    const first = this.ahead.get(this.step);
    this.ahead.delete(this.step);
    const collected = await collect(exp, { source: this.rollouts, version: this.step, first }, settings, this.step, rng);
    const problems = stepProblems(collected.trees.flatMap((t) => t.trajectories));
    if (problems.length) this.o.onProblems?.(this.step, problems);
    const t1 = performance.now();
    const batch = buildBatch(collected.trajectories, { padTokenId: this.o.policy.tokenizer.padTokenId });
    try {
      if (settings.oldLogProbs === 'recompute') this.recomputeOldLogProbs(batch);
      const extras = this.requiredInputs(batch);
      const t2 = performance.now();
      const advantages = this.advantages(batch, collected.trees, extras);
      const t3 = performance.now();
      const updated = updatePolicy({
        exp,
        model: this.o.model,
        optimizer: this.optimizer,
        settings,
        batch,
        advantages: advantages.tensor,
        refLogProbs: extras.refLogProbs,
        proximalLogProbs: extras.proximalLogProbs,
        needEntropy: exp.requirements.has('entropies'),
        rng: rng.fork('minibatches'),
        learningRate: () => learningRate(settings.optimizer, this.optimizer.updates, settings.steps * this.updatesPerStep),
        nonFiniteInARow: this.nonFiniteInARow,
      });
      this.nonFiniteInARow = updated.nonFiniteInARow;
      if (this.o.critic && advantages.returns && extras.values) {
        const groups = miniBatchRows(batch, settings.miniBatches, rng.fork('critic'));
        updated.metrics['loss/value'] = this.o.critic.update(batch, advantages.returns, extras.values, groups, advantages.valueMask);
      }
      if (this.o.onTrajectories && settings.trajectoryLog.groupsPerStep > 0) this.o.onTrajectories(this.trajectoryRecord(collected.trees, batch, advantages.tensor));
      tf.dispose([advantages.tensor, ...(advantages.returns ? [advantages.returns] : []), ...(advantages.valueMask ? [advantages.valueMask] : [])]);
      tf.dispose(Object.values(extras).filter((t): t is tf.Tensor2D => t !== undefined));
      const t4 = performance.now();
      const tokens = batch.lossMaskValues.reduce((a, b) => a + b, 0);
      const metrics: Record<string, number> = {
        step: this.step,
        ...collected.metrics,
        ...problemMetrics(problems),
        ...advantages.metrics,
        ...updated.metrics,
        'batch/rows': batch.rowKinds.filter((k) => k !== 'pad').length,
        'batch/trained_tokens': tokens,
        'time/rollout_s': (t1 - t0) / 1000,
        'time/scoring_s': (t2 - t1) / 1000,
        'time/advantage_s': (t3 - t2) / 1000,
        'time/update_s': (t4 - t3) / 1000,
        'time/step_s': (t4 - t0) / 1000,
        'throughput/trained_tokens_per_s': tokens / ((t4 - t0) / 1000),
      };
      Object.assign(metrics, stalenessMetrics(collected.trajectories, this.step, settings.scaleOut.maxStaleness));
      Object.assign(metrics, await this.rollouts.publish(this.step + 1));
      Object.assign(metrics, (await this.rollouts.takeMetrics?.()) ?? {});
      metrics['time/step_s'] = (performance.now() - t0) / 1000;
      for (const reg of exp.getAll('regularizer')) (reg as Regularizer).update?.(metrics);
      for (const sink of exp.getAll('metricSink')) await (sink as MetricSink).write(this.step, metrics);
      this.step += 1;
      return metrics;
    } finally {
      batch.dispose();
    }
  }

  /** A step of a recipe with a `preference` loss: pairs (offline, or mined from this step's rollouts) instead of advantages. */
  private async preferenceStep(rng: Rng, t0: number): Promise<Record<string, number>> {
    const { exp, settings } = this.o;
    const out = await preferenceStep({
      exp,
      settings,
      model: this.o.model,
      referenceModel: this.o.referenceModel,
      optimizer: this.optimizer,
      tokenizer: this.o.policy.tokenizer,
      dataset: new Map(this.o.dataset.map((s) => [s.id, s])),
      step: this.step,
      rng,
      collect: () => collect(exp, { source: this.rollouts, version: this.step }, settings, this.step, rng),
      learningRate: () => learningRate(settings.optimizer, this.optimizer.updates, settings.steps * this.updatesPerStep),
      nonFiniteInARow: this.nonFiniteInARow,
    });
    this.nonFiniteInARow = out.nonFiniteInARow;
    const metrics: Record<string, number> = { step: this.step, ...out.metrics, 'time/step_s': (performance.now() - t0) / 1000 };
    Object.assign(metrics, await this.rollouts.publish(this.step + 1));
    for (const sink of exp.getAll('metricSink')) await (sink as MetricSink).write(this.step, metrics);
    this.step += 1;
    return metrics;
  }

  private stepRng(step: number): Rng {
    return this.rng.fork(`step-${step}`);
  }

  /** Starts round 0 of the next `maxStaleness` steps (in step order, so the sampler sees steps in order). */
  private startAhead(): void {
    const { exp, settings } = this.o;
    const last = Math.min(this.step + settings.scaleOut.maxStaleness, settings.steps - 1);
    for (let s = this.step + 1; s <= last; s++) {
      if (this.ahead.has(s)) continue;
      const started = startRound(exp, settings, {
        step: s,
        round: 0,
        count: settings.promptsPerStep,
        rng: this.stepRng(s),
        source: this.rollouts,
        version: this.step,
      });
      started.out.catch(() => undefined); // awaited when its step trains; a rejection must not go unhandled meanwhile
      this.ahead.set(s, started);
    }
  }

  /** Replaces the behaviour log-probs with the model's own now (zero outside the loss mask, as recorded ones are). */
  private recomputeOldLogProbs(batch: Batch): void {
    const fresh = tf.tidy(() => tf.mul(batchLogProbs(this.o.model, batch).logProbs, batch.lossMask) as tf.Tensor2D);
    const disposeRecorded = batch.dispose;
    batch.oldLogProbs = fresh;
    batch.dispose = () => {
      disposeRecorded();
      fresh.dispose();
    };
  }

  /**
   * The logged trees of this step with, for every trained trajectory among them, its loss mask, the
   * advantages the objective used and π_after / π_behaviour (one forward pass over those rows only).
   */
  private trajectoryRecord(trees: RolloutTree[], batch: Batch, advantages: tf.Tensor2D): StepTrajectories {
    const limits = this.o.settings.trajectoryLog;
    const logged = treesToLog(trees, limits);
    const ids = new Set(logged.flatMap((t) => t.trajectories.map((x) => x.id)));
    const rows = batch.trajectories.flatMap((t, row) => (t && ids.has(t.id) ? [row] : []));
    const stats = new Map<string, RowTokenStats>();
    if (rows.length) {
      const T = batch.ids.shape[1];
      const part = sliceRows(batch, rows);
      const [adv, ratio] = tf.tidy(() => {
        const index = tf.tensor1d(rows, 'int32');
        const now = batchLogProbs(this.o.model, part).logProbs;
        const r = tf.mul(tf.exp(tf.sub(now, part.oldLogProbs)), part.lossMask);
        return [tf.gather(advantages, index).dataSync(), r.dataSync()];
      });
      part.dispose();
      rows.forEach((row, i) => {
        const span = (a: ArrayLike<number>, at: number) => Array.prototype.slice.call(a, at * T, (at + 1) * T) as number[];
        stats.set(batch.trajectories[row]!.id, { lossMask: span(batch.lossMaskValues, row), advantage: span(adv, i), ratio: span(ratio, i) });
      });
    }
    return stepRecord(this.step, logged, trees.length, stats, this.o.policy.tokenizer, limits);
  }

  private requiredInputs(batch: Batch): Extras {
    const need = this.o.exp.requirements;
    const out: Extras = {};
    if (need.has('values')) out.values = this.o.critic!.values(batch);
    if (need.has('proximalLogProbs')) {
      out.proximalLogProbs = tf.tidy(() => batchLogProbs(this.o.model, batch).logProbs);
    }
    if (need.has('refLogProbs')) out.refLogProbs = tf.tidy(() => batchLogProbs(this.o.referenceModel!, batch).logProbs);
    if (need.has('entropies')) {
      out.entropies = tf.tidy(() => batchLogProbs(this.o.model, batch, { entropy: true }).entropies!);
    }
    const penalties = this.o.exp
      .getAll('regularizer')
      .map((r) => r.rewardPenalty?.({ batch, refLogProbs: out.refLogProbs }))
      .filter((t): t is tf.Tensor2D => t !== undefined);
    if (penalties.length) {
      out.tokenRewards = tf.tidy(() => tf.neg(tf.addN(penalties)) as tf.Tensor2D);
      tf.dispose(penalties);
    }
    return out;
  }

  private advantages(
    batch: Batch,
    trees: Parameters<typeof collect> extends never ? never : Awaited<ReturnType<typeof collect>>['trees'],
    extras: Extras,
  ): { tensor: tf.Tensor2D; returns?: tf.Tensor2D; valueMask?: tf.Tensor2D; metrics: Record<string, number> } {
    const scores = Float32Array.from(batch.trajectories, (t) => t?.reward ?? 0);
    const input = { batch, scores, trees, entropies: extras.entropies, tokenRewards: extras.tokenRewards, values: extras.values, step: this.step };
    const out = this.o.exp.get('advantage').compute(input);
    let advantages = out.advantages;
    const metrics: Record<string, number> = { ...(out.metrics ?? {}) };
    const tokenMasks: tf.Tensor2D[] = out.tokenMask ? [out.tokenMask] : [];
    for (const t of this.o.exp.getAll('advantageTransform')) {
      const next = t.transform({ ...input, advantages });
      if (next.advantages !== advantages) advantages.dispose();
      advantages = next.advantages;
      if (next.tokenMask) tokenMasks.push(next.tokenMask);
      Object.assign(metrics, next.metrics ?? {});
    }
    if (tokenMasks.length) restrictLossMask(batch, tokenMasks);
    advantages = zeroMaskedRows(batch, advantages);
    Object.assign(metrics, maskedStats('advantage', advantages, batch.lossMaskValues));
    return { tensor: advantages, returns: out.returns, valueMask: out.valueMask, metrics };
  }
}

/**
 * Multiplies token selections (D³S token level) into the batch's loss mask in place, so the objective, the
 * aggregation denominators and the mini-batch counts see only the kept tokens; the batch disposes the new mask.
 */
function restrictLossMask(batch: Batch, masks: tf.Tensor2D[]): void {
  const restricted = tf.tidy(() => masks.reduce<tf.Tensor2D>((m, k) => tf.mul(m, k) as tf.Tensor2D, batch.lossMask));
  tf.dispose(masks);
  batch.lossMask = restricted;
  batch.lossMaskValues = Float32Array.from(restricted.dataSync());
  const dispose = batch.dispose;
  batch.dispose = () => {
    dispose();
    restricted.dispose();
  };
}

interface Extras {
  refLogProbs?: tf.Tensor2D;
  proximalLogProbs?: tf.Tensor2D;
  entropies?: tf.Tensor2D;
  tokenRewards?: tf.Tensor2D;
  values?: tf.Tensor2D;
}

function maskedStats(prefix: string, t: tf.Tensor2D, mask: Float32Array): Record<string, number> {
  const values = t.dataSync();
  let n = 0;
  let sum = 0;
  let sq = 0;
  let max = -Infinity;
  let min = Infinity;
  mask.forEach((m, i) => {
    if (!m) return;
    n += 1;
    sum += values[i];
    sq += values[i] * values[i];
    max = Math.max(max, values[i]);
    min = Math.min(min, values[i]);
  });
  const mean = n ? sum / n : 0;
  return {
    [`${prefix}/mean`]: mean,
    [`${prefix}/std`]: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0,
    [`${prefix}/max`]: n ? max : 0,
    [`${prefix}/min`]: n ? min : 0,
  };
}
