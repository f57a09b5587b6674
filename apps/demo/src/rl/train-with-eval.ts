import * as tf from '@tensorflow/tfjs-core';
import type { CausalLM } from '@tirl/policy';
import { train, type TrainOptions, type TrainResult } from '@tirl/trainer';
import type { Summary } from '../report';
import { CheckpointSelector, type SelectionRule } from './schedule';

/** One evaluation during RL: the held-out test set (reported, never used to choose) and the validation split. */
export interface EvalPoint {
  step: number;
  test: Summary;
  validation: number;
  /** Whether this checkpoint became the kept one when it was evaluated. */
  kept: boolean;
}

export interface EvaluatedRl {
  rl: TrainResult;
  points: EvalPoint[];
  /** The step of the checkpoint the model holds at the end (0: the SFT warm start). */
  keptStep: number;
  /** The held-out summary of that checkpoint. */
  after: Summary;
  stoppedEarly: boolean;
}

export interface EvaluatedRlOptions {
  train: Omit<TrainOptions, 'onStep'> & { model: CausalLM };
  /** Steps to evaluate at (from `evaluationSteps`; 0 is the SFT warm start). */
  schedule: readonly number[];
  /** The held-out test summary of the model as it is now. */
  test: () => Promise<Summary>;
  /** The validation accuracy of the model as it is now. */
  validation: () => Promise<number>;
  /** Keep the best checkpoint by validation accuracy (else the last one is reported). */
  keepBest: boolean;
  rule: SelectionRule;
  log?: (line: string) => void;
}

const snapshot = (model: CausalLM): Map<string, tf.Tensor> => new Map([...model.namedWeights()].map(([name, v]) => [name, tf.clone(v)]));

function restore(model: CausalLM, weights: ReadonlyMap<string, tf.Tensor>): void {
  for (const [name, v] of model.namedWeights()) v.assign(weights.get(name)!);
}

const disposeAll = (weights: Map<string, tf.Tensor> | undefined) => weights?.forEach((t) => t.dispose());

/**
 * RL with evaluations on the schedule: each one measures the held-out test set (the curve) and the
 * validation split. With `keepBest`, the weights of the checkpoint with the best validation accuracy are
 * kept (in memory) and put back into the model at the end, and RL stops early after `rule.patience`
 * evaluations without a better one. The test set never takes part in the choice.
 */
export async function trainWithEvaluation(o: EvaluatedRlOptions): Promise<EvaluatedRl> {
  const log = o.log ?? (() => {});
  const selector = new CheckpointSelector(o.rule);
  const points: EvalPoint[] = [];
  const due = new Set(o.schedule);
  let keptWeights: Map<string, tf.Tensor> | undefined;
  let stoppedEarly = false;

  const evaluateNow = async (step: number): Promise<'stop' | undefined> => {
    const [test, validation] = [await o.test(), await o.validation()];
    const kept = selector.offer(step, validation);
    points.push({ step, test, validation, kept });
    if (kept && o.keepBest) {
      disposeAll(keptWeights);
      keptWeights = snapshot(o.train.model);
    }
    log(`  eval @ step ${String(step).padStart(3)}: held-out ${test.accuracy.toFixed(3)} ± ${test.accuracyStdErr.toFixed(3)} sampled, ${test.greedyAccuracy.toFixed(3)} greedy; validation ${validation.toFixed(3)}${kept ? ' (kept)' : ''}`);
    if (o.keepBest && selector.shouldStop) {
      stoppedEarly = true;
      log(`  stopping early: ${o.rule.patience} evaluations without a validation gain over step ${selector.best.step}`);
      return 'stop';
    }
    return undefined;
  };

  try {
    await evaluateNow(0);
    const rl = await train({ ...o.train, onStep: (step) => (due.has(step) ? evaluateNow(step) : undefined) });
    const last = points.at(-1)!;
    if (last.step !== rl.steps) await evaluateNow(rl.steps);
    if (!o.keepBest) return { rl, points, keptStep: rl.steps, after: points.at(-1)!.test, stoppedEarly };
    const keptStep = selector.best.step;
    if (keptStep !== points.at(-1)!.step) {
      restore(o.train.model, keptWeights!);
    }
    return { rl, points, keptStep, after: points.find((p) => p.step === keptStep)!.test, stoppedEarly };
  } finally {
    disposeAll(keptWeights);
  }
}
