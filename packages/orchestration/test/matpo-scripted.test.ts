import * as tf from '@tensorflow/tfjs-core';
import {
  buildBatch,
  countBatch,
  createExperiment,
  resolveRecipe,
  type AgentRouter,
  type Batch,
  type RewardFunction,
  type Trajectory,
} from '@tirl/core';
import { expectClose, type Script } from '@tirl/core/testing';
import { matpoReward, matpoRouter } from '../src';
import { callText, create, question, scriptedRollout } from './helpers';

/*
 * One question, G = 2 planner rollouts on a scripted policy (no model):
 *   planner row 0: delegates once, then answers \boxed{Paris}   (correct)
 *   planner row 1: answers \boxed{London} at once               (wrong, no worker)
 *   the worker of planner 0 thinks, then answers in one turn.
 */
const DELEGATE = callText('delegate', { subtask: 'Find the capital of France.' });
const P0_ANSWER = '\\boxed{Paris}';
const P1_ANSWER = '\\boxed{London}';
const WORKER = '<think>the capital is Paris</think>Paris is the capital of France.';

const script: Script = ({ text, row, rowTurn }) => {
  if (text.includes('You are a worker agent')) return WORKER;
  if (row === 1) return P1_ANSWER;
  return rowTurn === 0 ? DELEGATE : P0_ANSWER;
};

async function run() {
  // The hand-checked rows below have no forced summary turn; `forceSummary` (default on) is tested on its own.
  const router = create<AgentRouter>(matpoRouter, { forceSummary: false });
  const { output } = await scriptedRollout(script, { router });
  const trajectories = output.trees.flatMap((t) => t.trajectories);
  const reward = create<RewardFunction>(matpoReward);
  const scored = await reward.score({ trajectories, samples: new Map([[question.id, question]]), step: 0 });
  trajectories.forEach((t, i) => (t.reward = scored.scores[i]));
  return { trajectories, scored };
}

const recipe = resolveRecipe(
  { name: 'matpo-check', plugins: [['advantage/matpo'], ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }], ['aggregation/root-normalised']] },
  undefined,
  { recipes: [] },
);

function advantagesOf(batch: Batch, scores: Float32Array) {
  const exp = createExperiment(recipe);
  return exp.get('advantage').compute({ batch, scores });
}

const row = (batch: Batch, t: tf.Tensor2D, b: number) => (t.arraySync() as number[][])[b];
const policyTokens = (t: Trajectory) => t.segments.filter((s) => s.source === 'policy').reduce((n, s) => n + s.tokenIds.length, 0);

describe('MATPO worker summary turn', () => {
  const SUMMARY = 'Conclusion: Paris.';
  const withSummary: Script = ({ text, row, rowTurn }) =>
    text.includes('Write your final report') ? SUMMARY : text.includes('You are a worker agent') ? WORKER : row === 1 ? P1_ANSWER : rowTurn === 0 ? DELEGATE : P0_ANSWER;

  it('ends a worker that answers on its own with the forced final-summary turn by default, and hands back the summary', async () => {
    const { output } = await scriptedRollout(withSummary, { router: create<AgentRouter>(matpoRouter) });
    const [p0, , worker] = output.trees.flatMap((t) => t.trajectories);
    expect(worker.finishReason).toBe('stop');
    expect(worker.segments.filter((s) => s.source === 'policy').map((s) => s.text)).toEqual([WORKER, SUMMARY]);
    expect(worker.segments.some((s) => s.source === 'injected' && s.text!.includes('Write your final report'))).toBe(true);
    expect(p0.toolCalls[0]).toMatchObject({ ok: true, observation: SUMMARY, childId: worker.id });
  });

  it('with forceSummary false the worker hands back its own last message', async () => {
    const { output } = await scriptedRollout(withSummary, { router: create<AgentRouter>(matpoRouter, { forceSummary: false }) });
    const [p0, , worker] = output.trees.flatMap((t) => t.trajectories);
    expect(worker.segments.filter((s) => s.source === 'policy').map((s) => s.text)).toEqual([WORKER]);
    expect(p0.toolCalls[0].observation).toBe('Paris is the capital of France.');
  });
});

describe('MATPO on a scripted policy, checked by hand', () => {
  it('builds planner and worker rows with the hand-back as a masked observation', async () => {
    const { trajectories } = await run();
    expect(trajectories.map((t) => [t.role, t.parentId !== undefined])).toEqual([
      ['planner', false],
      ['planner', false],
      ['worker', true],
    ]);
    const [p0, , worker] = trajectories;
    expect(worker.parentId).toBe(p0.id);
    expect(worker.rootId).toBe(p0.id);
    expect(worker.spawnTurn).toBe(0);
    // The worker's context is isolated: its prompt recaps the user query and holds no planner text.
    const workerPrompt = worker.segments[0].text!;
    expect(workerPrompt).toContain('What is the capital of France?');
    expect(workerPrompt).toContain('Find the capital of France.');
    expect(workerPrompt).not.toContain('You are the planner');
    // The planner sees the worker's answer without its reasoning, as a tool (masked) segment.
    const observation = p0.segments.find((s) => s.source === 'tool')!;
    expect(observation.text).toContain('Paris is the capital of France.');
    expect(observation.text).not.toContain('<think>');
    expect(p0.toolCalls[0]).toMatchObject({ name: 'delegate', ok: true, childId: worker.id });
    // Token counts from the scripted strings: each turn ends with EOS unless a stop string cut it.
    expect(policyTokens(p0)).toBe(DELEGATE.length + P0_ANSWER.length + 1);
    expect(policyTokens(trajectories[1])).toBe(P1_ANSWER.length + 1);
    expect(policyTokens(worker)).toBe(WORKER.length + 1);
  });

  it('scores R = 0.9·acc + 0.1·(0.5·fmt_p + 0.5·fmt_w), the worker row carrying its root reward', async () => {
    const { scored } = await run();
    // planner 0: acc 1, fmt_p 1 (one valid call), fmt_w 1 (worker made no call) → 0.9 + 0.1·1 = 1.0
    // planner 1: acc 0, fmt_p 1, no worker → term dropped → 0.1·1 = 0.1
    expectClose(scored.scores, [1.0, 0.1, 1.0]);
    expectClose(scored.components!.accuracy, [1, 0, 1]);
  });

  it('gives the worker its parent scalar advantage on exactly its own generated tokens; statistics use planners only', async () => {
    const { trajectories } = await run();
    const batch = buildBatch(trajectories);
    const scores = Float32Array.from(trajectories, (t) => t.reward!);
    const out = advantagesOf(batch, scores);
    // GRPO over planners [1.0, 0.1]: mean 0.55, unbiased std = sqrt(2·0.45²/1) = 0.636396;
    // A = ±0.45 / (0.636396 + 1e-6) = ±0.7071057.
    const A = 0.45 / (Math.sqrt(2 * 0.45 ** 2) + 1e-6);
    const mask = batch.lossMask.arraySync() as number[][];
    expectClose(row(batch, out.advantages, 0), mask[0].map((m) => m * A), 1e-6);
    expectClose(row(batch, out.advantages, 1), mask[1].map((m) => m * -A), 1e-6);
    expectClose(row(batch, out.advantages, 2), mask[2].map((m) => m * A), 1e-6);
    // A worker score does not enter the statistics: a wild worker score changes nothing.
    const wild = Float32Array.from(scores);
    wild[2] = 100;
    const again = advantagesOf(batch, wild);
    expectClose(again.advantages, out.advantages);
    tf.dispose([out.advantages, again.advantages]);
    batch.dispose();
  });

  it('gives the root-normalised PPO loss computed by hand; pad rows change nothing', async () => {
    const { trajectories } = await run();
    const [p0, , worker] = trajectories;
    const n0 = policyTokens(p0);
    const nw = policyTokens(worker);
    const A = 0.45 / (Math.sqrt(2 * 0.45 ** 2) + 1e-6);
    // Current log-prob = old + δ per row: δ = 0.1 (planner 0), −0.1 (planner 1), 0.3 (worker).
    // planner 0, A>0, ρ = e^0.1 = 1.1051709 inside [0.8, 1.2]   → ℓ = −A·1.1051709 per token
    // worker,    A>0, ρ = e^0.3 = 1.3498588 clipped to 1.2     → ℓ = −A·1.2 per token
    // planner 1, A<0, ρ = e^−0.1 = 0.9048374 inside the range   → ℓ = +A·0.9048374 per token
    // root 0 = (n0·(−A·1.1051709) + nw·(−A·1.2)) / (n0 + nw); root 1 = A·0.9048374; loss = mean of the two.
    const root0 = (n0 * -A * Math.exp(0.1) + nw * -A * 1.2) / (n0 + nw);
    const root1 = A * Math.exp(-0.1);
    const expected = (root0 + root1) / 2;

    const lossOf = (padRowsTo: number) => {
      const batch = buildBatch(trajectories, { padRowsTo });
      const scores = Float32Array.from(batch.trajectories, (t) => t?.reward ?? 0);
      const exp = createExperiment(recipe);
      const adv = exp.get('advantage').compute({ batch, scores }).advantages;
      const delta = batch.rowKinds.map((k, b) => (k === 'pad' ? 0 : [0.1, -0.1, 0.3][b]));
      const loss = tf.tidy(() => {
        const logProbs = tf.add(batch.oldLogProbs, tf.mul(batch.lossMask, tf.tensor2d(delta, [delta.length, 1]))) as tf.Tensor2D;
        const counts = countBatch(batch.lossMaskValues, batch.ids.shape as [number, number], batch.rowKinds, batch.rootIds);
        const input = { logProbs, oldLogProbs: batch.oldLogProbs, advantages: adv, lossMask: batch.lossMask, counts, batch };
        const perToken = exp.get('objective').perToken(input).perToken;
        return exp.get('aggregation').aggregate({ perToken, lossMask: batch.lossMask, counts, batch }).dataSync()[0];
      });
      const padAdv = (adv.arraySync() as number[][]).filter((_, b) => batch.rowKinds[b] === 'pad').flat();
      adv.dispose();
      batch.dispose();
      return { loss, padAdv };
    };
    const plain = lossOf(0);
    expect(plain.loss).toBeCloseTo(expected, 5);
    const padded = lossOf(6);
    expect(padded.padAdv.length).toBeGreaterThan(0);
    expect(padded.padAdv.every((a) => a === 0)).toBe(true);
    expect(padded.loss).toBeCloseTo(expected, 5);
  });
});
