import * as tf from '@tensorflow/tfjs-core';
import {
  buildBatch,
  Rng,
  type ResolvedRun,
  type Sample,
  type Tokenizer,
  type Trajectory,
} from '@tirl/core';
import type { CausalLM } from '@tirl/policy';
import { ScriptedPolicy } from '@tirl/core/testing';
import { AdamW, evaluate } from '@tirl/trainer';
import { demoPlugins } from './plugins/compact-xml-tags';
import type { DemoTask } from './tasks';

/**
 * The teacher's tool-use traces for `samples`, recorded by the recipe's own rollout stack while the task's
 * teacher writes the policy turns: prompts, tool observations (masked) and sub-agent rollouts are
 * exactly what RL will see. Fails when a demonstration does not earn the accuracy reward, except on the
 * questions the task says its teacher guesses.
 */
export async function demonstrationTraces(
  recipe: ResolvedRun,
  task: DemoTask,
  tokenizer: Tokenizer,
  samples: readonly Sample[],
  accuracyReward: string,
  log: (line: string) => void = () => {},
): Promise<Trajectory[]> {
  log(`Recording ${samples.length} "${task.name}" demonstrations (the task's teacher writes the policy turns; the rollout engine runs the tools) ...`);
  const started = Date.now();
  const teacher = new ScriptedPolicy({ tokenizer, script: (call) => task.teacher(call.text), logProb: 0 });
  const { trajectories } = await evaluate({ recipe, tokenizer, policy: teacher, dataset: samples, plugins: demoPlugins, accuracyReward });
  log(`  ${trajectories.length} rows in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (!trajectories.some((t) => t.rewardComponents?.[accuracyReward] !== undefined)) {
    throw new Error(`demo: recipe "${recipe.name}" does not score ${accuracyReward}; record demonstrations with the evaluation recipe`);
  }
  const guessed = new Set(samples.filter((s) => task.teacherGuesses?.(s)).map((s) => s.id));
  const isWrong = (t: Trajectory) => t.parentId === undefined && (t.rewardComponents?.[accuracyReward] ?? 0) < 0.5;
  if (guessed.size) {
    const wrongGuesses = trajectories.filter((t) => guessed.has(t.sampleId) && isWrong(t)).length;
    log(`  the teacher guessed without the tool on ${guessed.size} of ${samples.length} questions (${wrongGuesses} of those answers are wrong)`);
  }
  const wrong = trajectories.filter((t) => !guessed.has(t.sampleId) && isWrong(t));
  if (wrong.length) {
    const text = wrong[0].segments.map((s) => s.text ?? '').join('');
    throw new Error(`demo: ${wrong.length} of ${samples.length} "${task.name}" demonstrations are not correct, e.g. ${JSON.stringify(text)}`);
  }
  for (const t of trajectories) endWithEos(t, tokenizer.eosTokenId);
  return trajectories;
}

/**
 * The engine stops a turn at the answer's closing tag, so recorded traces have no EOS; the warm start
 * still teaches the model to end its final turn with one.
 */
function endWithEos(t: Trajectory, eos: number): void {
  const last = t.segments.at(-1);
  if (last?.source !== 'policy' || last.tokenIds.at(-1) === eos) return;
  last.tokenIds = [...last.tokenIds, eos];
  if (last.logProbs) last.logProbs = [...last.logProbs, 0];
}

export interface SftOptions {
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  onStep?: (step: number, loss: number) => void;
}

/** Supervised warm start: minimises −mean log-prob of the policy tokens of the traces (AdamW). */
export function supervisedFineTune(model: CausalLM, traces: readonly Trajectory[], tokenizer: Tokenizer, o: SftOptions): number[] {
  const weights = model.namedWeights();
  const byTfName = new Map([...weights].map(([name, v]) => [v.name, name]));
  const optimizer = new AdamW({ betas: [0.9, 0.98], eps: 1e-8, weightDecay: 0 });
  const rng = new Rng(o.seed).fork('sft');
  const losses: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      const picked = Array.from({ length: o.batchSize }, () => traces[rng.int(traces.length)]);
      const batch = buildBatch(picked, { padTokenId: tokenizer.padTokenId ?? 0 });
      try {
        const { value, grads } = tf.variableGrads(() => {
          const { logProbs } = model.logProbs(batch.ids, batch.attentionMask);
          return tf.neg(tf.div(tf.sum(tf.mul(logProbs, batch.lossMask)), tf.maximum(tf.sum(batch.lossMask), 1))) as tf.Scalar;
        }, [...weights.values()]);
        const named = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k) ?? k, g]));
        const lr = o.lr * Math.min(1, (step + 1) / 10);
        optimizer.apply(weights, named, lr);
        losses.push(value.dataSync()[0]);
        o.onStep?.(step + 1, losses.at(-1)!);
        value.dispose();
        for (const g of named.values()) g.dispose();
      } finally {
        batch.dispose();
      }
    }
    return losses;
  } finally {
    optimizer.dispose();
  }
}
