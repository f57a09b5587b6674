import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, composeRun, countBatch, createExperiment, resolveRecipe, RunCatalog, type PluginEntry, type RewardFunction, type Sample, type Trajectory } from '@tirl/core';
import { expectClose, makeTrajectory } from '@tirl/core/testing';
import { matpoMethod, matpoReward } from '../src';
import { create } from './helpers';

/*
 * The worked example of the README: one question, G = 2 planner rollouts, each with 2 workers, prompts of
 * unequal length, one worker cut by its length limit (then summarised). Segments are [source, tokens];
 * P prompt, A generated (trained), T tool observation, I injected prompt.
 *
 *   row  trajectory            segments               response (after the prompt)   trained tokens
 *   0    p0 planner, correct   P3 A2 T2 A1            A A T T A                      3
 *   1    p1 planner, wrong     P3 A2 T3 A2            A A T T T A A                  4
 *   2    w00 worker of p0      P5 A2 T1 A1            A A T A                        3
 *   3    w01 worker of p0      P1 A3                  A A A                          3
 *   4    w10 worker of p1      P4 A4 I2 A1 (cut)      A A A A I I A                  5
 *   5    w11 worker of p1      P2 A1 T1 A2            A T A A                        3
 */
const sample: Sample = { id: 'q', messages: [{ role: 'user', content: 'Capital of France?' }], answer: 'Paris' };
const call = (name: string, ok = true, error?: string) => ({ turn: 0, name, args: {}, ok, observation: '', ...(error ? { error } : {}) });

function batchTrajectories(): Trajectory[] {
  const t = (id: string, segments: [Trajectory['segments'][number]['source'], number][], extra: Partial<Trajectory>, parent?: string): Trajectory => ({
    ...makeTrajectory({ id, groupId: 'q', parentId: parent, rootId: parent, role: parent ? 'worker' : 'planner', segments, logProb: -1 }),
    ...extra,
  });
  return [
    t('p0', [['prompt', 3], ['policy', 2], ['tool', 2], ['policy', 1]], { meta: { answer: '\\boxed{Paris}' }, toolCalls: [call('delegate'), call('delegate')] }),
    t('p1', [['prompt', 3], ['policy', 2], ['tool', 3], ['policy', 2]], { meta: { answer: '\\boxed{London}' }, toolCalls: [call('delegate'), call('delegate')] }),
    t('w00', [['prompt', 5], ['policy', 2], ['tool', 1], ['policy', 1]], { toolCalls: [call('search')] }, 'p0'),
    t('w01', [['prompt', 1], ['policy', 3]], {}, 'p0'),
    t('w10', [['prompt', 4], ['policy', 4], ['injected', 2], ['policy', 1]], { finishReason: 'length' }, 'p1'),
    t('w11', [['prompt', 2], ['policy', 1], ['tool', 1], ['policy', 2]], { toolCalls: [call('search', false, 'parse'), call('search')] }, 'p1'),
  ];
}

/** What the MATPO method's `compat` switch selects for the update (the README's compat table). */
const UPDATE: Record<'paper' | 'released-code', PluginEntry[]> = {
  paper: [
    ['advantage/matpo', { broadcast: 'scalar', stdKind: 'unbiased', eps: 1e-6, singleton: 'zero' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    ['aggregation/root-normalised'],
  ],
  'released-code': [
    ['advantage/matpo', { broadcast: 'parent-row', stdKind: 'unbiased', eps: 1e-6, singleton: 'raw' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2, dualClipC: 3 }],
    ['aggregation/token-mean'],
  ],
};
/** The update plugins of the MATPO method composed with `compat`. */
function methodUpdate(compat: keyof typeof UPDATE): PluginEntry[] {
  const run = composeRun({ method: matpoMethod, switches: { compat } }, { catalog: new RunCatalog() });
  return run.plugins.filter((p) => /^(advantage|objective|aggregation)\//.test(p.id)).map((p): PluginEntry => [p.id, p.options]);
}
const experiment = (compat: keyof typeof UPDATE) => createExperiment(resolveRecipe({ name: `matpo-${compat}`, plugins: methodUpdate(compat) }, undefined, { recipes: [] }));

// Rewards (both settings; every rollout has workers, so emptyWorkers does not matter):
//   p0: acc 1, fmt_p 1 (2 valid calls), fmt_w = mean(w00 1/1, w01 no call → 1) = 1   → R0 = 0.9 + 0.1·1 = 1
//   p1: acc 0, fmt_p 1, fmt_w = mean(w10 no call → 1, w11 1 of 2 valid → 0.5) = 0.75 → R1 = 0.1·(0.5 + 0.375) = 0.0875
const R = [1, 0.0875];
// GRPO over the two planners: mean 0.54375, unbiased std = |R0 − R1|/√2 = 0.9125/√2 = 0.6452228;
// a = (R0 − mean)/(std + 1e-6) = 0.45625/0.6452238 = 0.7071057; p1 gets −a.
const a = 0.45625 / (0.9125 / Math.SQRT2 + 1e-6);

async function scored(): Promise<Trajectory[]> {
  const ts = batchTrajectories();
  const out = await create<RewardFunction>(matpoReward).score({ trajectories: ts, samples: new Map([['q', sample]]), step: 0 });
  ts.forEach((t, i) => (t.reward = out.scores[i]));
  return ts;
}

/** Row b's advantages at its trained tokens only, in order. */
function onTrained(adv: number[][], mask: number[][], b: number): number[] {
  return adv[b].filter((_, t) => mask[b][t] === 1);
}

describe('MATPO worked example (README): 2 planners × 2 workers, unequal prompts, a worker cut by length', () => {
  it.each(['paper', 'released-code'] as const)('the method with compat %s selects the update of the compat table', (compat) => {
    const sortById = (entries: PluginEntry[]) => [...entries].sort((x, y) => x[0].localeCompare(y[0])).map(([id, o]) => [id, o ?? {}]);
    expect(sortById(methodUpdate(compat))).toEqual(sortById(UPDATE[compat]));
  });

  it('scores each full rollout and copies the reward to its workers', async () => {
    const ts = await scored();
    expectClose(ts.map((t) => t.reward!), [R[0], R[1], R[0], R[0], R[1], R[1]], 1e-12);
  });

  it.each(['paper', 'released-code'] as const)('%s: advantages and loss weights derived by hand', async (compat) => {
    const ts = await scored();
    const batch = buildBatch(ts);
    const exp = experiment(compat);
    const scores = Float32Array.from(ts, (t) => t.reward!);
    const adv = exp.get('advantage').compute({ batch, scores }).advantages;
    const A = adv.arraySync() as number[][];
    const M = batch.lossMask.arraySync() as number[][];
    if (compat === 'paper') {
      // Scalar broadcast: every trained token of a rollout carries its planner's advantage.
      expectClose(ts.map((_, b) => onTrained(A, M, b)), [[a, a, a], [-a, -a, -a, -a], [a, a, a], [a, a, a], [-a, -a, -a, -a, -a], [-a, -a, -a]], 1e-6);
    } else {
      // Parent-row copy aligned at the response start: worker response token k keeps the advantage only
      // where planner response token k is trained. p0 response mask [1,1,0,0,1], p1 [1,1,0,0,0,1,1].
      //   w00 trained at k = 0,1,3 → gates 1,1,0;   w01 at k = 0,1,2 → 1,1,0;
      //   w10 at k = 0,1,2,3,6 → 1,1,0,0,1;         w11 at k = 0,2,3 → 1,0,0.
      expectClose(ts.map((_, b) => onTrained(A, M, b)), [[a, a, a], [-a, -a, -a, -a], [a, a, 0], [a, a, 0], [-a, -a, 0, 0, -a], [-a, 0, 0]], 1e-6);
    }

    // Loss weight of each token = ∂loss/∂ℓ_token; the aggregation is linear in ℓ, so it is the loss of a
    // one-hot ℓ at that token.
    const counts = countBatch(batch.lossMaskValues, batch.ids.shape as [number, number], batch.rowKinds, batch.rootIds);
    const [B, T] = batch.ids.shape;
    const aggregate = (values: number[]) =>
      tf.tidy(() => exp.get('aggregation').aggregate({ perToken: tf.tensor2d(values, [B, T]), lossMask: batch.lossMask, counts, batch }).dataSync()[0]);
    const W = M.map((mrow, b) => mrow.map((_, t) => aggregate(Array.from({ length: B * T }, (_, i) => (i === b * T + t ? 1 : 0)))));
    // paper: 1/(G·N_root) with N_p0 = 3 + 3 + 3 = 9 and N_p1 = 4 + 5 + 3 = 12 → 1/18 and 1/24.
    // released code: one global token mean over the 21 trained tokens → 1/21 (zero-advantage tokens count too).
    const w = compat === 'paper' ? [1 / 18, 1 / 24, 1 / 18, 1 / 18, 1 / 24, 1 / 24] : Array(6).fill(1 / 21);
    expectClose(ts.map((_, b) => onTrained(W, M, b)), ts.map((_, b) => Array(onTrained(M, M, b).length).fill(w[b])), 1e-7);
    expect(W.flat().filter((_, i) => M.flat()[i] === 0).every((x) => x === 0)).toBe(true);

    // The PPO loss with planner p1 off-policy: log π − log π_old = 1.5 on p1's tokens (ρ = e^1.5 = 4.4816891),
    // 0 elsewhere (ρ = 1, ℓ = −A). p1 has A = −a: ℓ = max(a·ρ, a·1.2) = 4.4816891·a; with dual clip c = 3 it is
    // min(4.4816891·a, 3·a) = 3·a.
    //   paper: root p0 = 9·(−a)/9 = −a; root p1 = (4·4.4816891a + 8·a)/12; loss = (root p0 + root p1)/2
    //   released code: p0 rollout −7a (7 tokens with advantage), p1 4·3a, workers of p1 4 tokens with −a → +4a;
    //                  loss = (−7a + 12a + 4a)/21 = 9a/21
    const rho = Math.exp(1.5);
    const expected = compat === 'paper' ? (-a + (4 * rho * a + 8 * a) / 12) / 2 : (9 * a) / 21;
    const loss = tf.tidy(() => {
      const shift = tf.tensor2d([0, 1.5, 0, 0, 0, 0], [6, 1]);
      const logProbs = tf.add(batch.oldLogProbs, tf.mul(batch.lossMask, shift)) as tf.Tensor2D;
      const input = { logProbs, oldLogProbs: batch.oldLogProbs, advantages: adv, lossMask: batch.lossMask, counts, batch };
      const perToken = exp.get('objective').perToken(input).perToken;
      return exp.get('aggregation').aggregate({ perToken, lossMask: batch.lossMask, counts, batch }).dataSync()[0];
    });
    expect(loss).toBeCloseTo(expected, 5);
    adv.dispose();
    batch.dispose();
  });

  it('pins the singleton group: paper 0 (no baseline), released code A = R (verl: μ = 0, σ = 1)', async () => {
    const [p0, , w00] = await scored();
    const batch = buildBatch([p0, w00]);
    const scores = Float32Array.from([p0.reward!, p0.reward!]);
    for (const [compat, expected] of [['paper', 0], ['released-code', 1]] as const) {
      const adv = experiment(compat).get('advantage').compute({ batch, scores }).advantages;
      const A = adv.arraySync() as number[][];
      const M = batch.lossMask.arraySync() as number[][];
      expectClose(onTrained(A, M, 0), [expected, expected, expected]);
      adv.dispose();
    }
    batch.dispose();
  });
});
