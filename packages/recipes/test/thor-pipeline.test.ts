import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildBatch,
  createExperiment,
  definePlugin,
  resolveRecipe,
  Rng,
  scoreAll,
  type RewardFunction,
  type RolloutInput,
  type RolloutStrategy,
  type Sample,
  type Trajectory,
  type TrajectoryGroup,
} from '@tirl/core';
import { ScriptedPolicy, type ScriptCall } from '@tirl/core/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the step test trains through the real policy, trainer and rollout
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { failedStepRegenerationRollout } from '@tirl/rollout-tree';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { train } from '@tirl/trainer';
import { z } from 'zod';
import { dataset, useWasmBackend } from './task';

/** A stand-in for the sandbox: code "ok" prints 4, anything else raises. */
const scriptedPython = definePlugin({
  kind: 'tool',
  name: 'scripted-python',
  summary: 'Test tool: code "ok" prints 4, other code raises',
  options: z.object({}).strict(),
  create: () => ({
    name: 'python',
    description: 'Run.',
    parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
    call: async (args: unknown) => ((args as { code: string }).code === 'ok' ? { ok: true, observation: 'stdout:\n4' } : { ok: false, error: 'exception', observation: 'error:\nNameError' }),
  }),
});

const sample: Sample = { id: 'q1', messages: [{ role: 'user', content: 'What is 2+2?' }], answer: '4' };

/**
 * The `thor` method's plugins on a scripted rollout: both trajectory-level rollouts fail their first code
 * call and stop; one is chosen (at most one per prompt), cut before "<python>" (15 tokens) less 4 → the
 * prefix "Let me comp"; its four continuations execute as [1, 0, 1, 1].
 */
async function thorBatch() {
  const run = resolveRecipe('thor', [
    { plugins: [{ replace: 'tool/python', with: ['tool/scripted-python'] }] },
    ['groupSize=2', 'rollout/failed-step-regeneration.passRateN=4', 'rollout/failed-step-regeneration.delLastTokens=4'],
  ]);
  const exp = createExperiment(run, { plugins: [scriptedPython] });
  const order: number[] = [];
  const script = (c: ScriptCall) => {
    if (!c.text.endsWith('Let me comp')) return 'Let me compute.<python>bad</python>';
    if (!order.includes(c.row)) order.push(c.row);
    return `ute.<python>${['ok', 'bad', 'ok', 'ok'][order.indexOf(c.row)]}</python>`;
  };
  const policy = new ScriptedPolicy({ script, logProb: -0.5 });
  const input: RolloutInput = {
    samples: [{ sample, rollouts: 2 }],
    policy,
    tools: exp.getAll('tool'),
    toolFormat: exp.get('toolFormat'),
    decode: { maxNewTokens: 200 },
    limits: { maxTurns: 4, maxTotalTokens: 4000, maxToolCalls: 5, toolTimeoutMs: 1000, concurrency: 4 },
    rng: new Rng(1),
    step: 0,
  };
  const out = await exp.get('rollout').rollout(input);
  const trajectories = out.trees.flatMap((t) => t.trajectories);
  const samples = new Map([sample, ...(out.samples ?? [])].map((s) => [s.id, s]));
  const rewards = exp.plugins.filter((p) => p.kind === 'reward').map((p) => ({ name: p.definition.name, reward: p.instance as RewardFunction }));
  await scoreAll(rewards, { trajectories, samples, step: 0 });
  // Groups as the trainer forms them (roots by sample id), then the method's filter.
  const bySample = new Map<string, Trajectory[]>();
  for (const t of trajectories) bySample.set(t.sampleId, [...(bySample.get(t.sampleId) ?? []), t]);
  const groups: TrajectoryGroup[] = [...bySample].map(([sampleId, ts]) => ({ sampleId, trajectories: ts }));
  let kept = groups;
  for (const f of exp.getAll('filter')) kept = f.filter({ groups: kept, step: 0, targetGroups: groups.length }).groups;
  return { exp, policy, trajectories, groups, kept, order };
}

describe('thor: the hierarchical batch', () => {
  it('a step group of its own, scored by execution; verl GRPO gives the worked example; the flat trajectory group is filtered', async () => {
    const { exp, policy, trajectories, groups, kept } = await thorBatch();
    try {
      expect(groups.map((g) => [g.sampleId.split('#')[0], g.trajectories.map((t) => t.reward)])).toEqual([
        ['q1', [0, 0]],
        ['q1', [1, 0, 1, 1]],
      ]);
      // filter_groups: the trajectory group's rewards have std 0; the step group is kept.
      expect(kept.map((g) => g.sampleId)).toEqual([groups[1].sampleId]);
      const steps = kept[0].trajectories;
      const batch = buildBatch(steps, { padTokenId: policy.tokenizer.padTokenId });
      const scores = Float32Array.from(batch.trajectories, (t) => t?.reward ?? 0);
      const out = exp.get('advantage').compute({ batch, scores });
      const adv = out.advantages.arraySync();
      const mask = batch.lossMaskValues;
      const T = batch.ids.shape[1];
      // verl GRPO, unbiased std: mean 0.75, std √((3·0.25² + 0.75²)/3) = 0.5; A = (R − 0.75)/(0.5 + 1e-6):
      // 0.25/0.500001 = 0.499999, −0.75/0.500001 = −1.499997.
      const perRow = steps.map((_, b) => adv[b].find((_, t) => mask[b * T + t] === 1));
      perRow.forEach((a, b) => expect(a).toBeCloseTo([0.499999, -1.499997, 0.499999, 0.499999][b], 6));
      // Only the regenerated step trains: "ute.<python>…</python>" per row, not the prompt or the prefix.
      steps.forEach((t, b) => {
        const trained = Array.from(mask.subarray(b * T, (b + 1) * T)).reduce((n, m) => n + m, 0);
        expect(trained).toBe(t.segments.filter((s) => s.source === 'policy').reduce((n, s) => n + s.tokenIds.length, 0));
        expect(t.segments[0].text?.endsWith('Let me comp')).toBe(true);
      });
      out.advantages.dispose();
      batch.dispose();
      expect(trajectories.filter((t) => t.meta?.stepLevel).length).toBe(4);
    } finally {
      await exp.dispose();
    }
  });
});

describe('thor: self-correction at evaluation', () => {
  it('--set rollout=backtrack-on-failure swaps the step-level rollout for THOR\'s inference backtracking', () => {
    const run = resolveRecipe('thor', [['rollout=backtrack-on-failure']]);
    const rollouts = run.plugins.filter((p) => p.id.startsWith('rollout/'));
    expect(rollouts.map((p) => p.id)).toEqual(['rollout/backtrack-on-failure']);
  });
});

/**
 * `rollout/failed-step-regeneration` generating with a scripted policy instead of the model being trained
 * (the tiny model writes no code): the trainer then trains the model on the scripted tokens. The behaviour
 * log-prob is about the untrained model's (ln 1/260 ≈ −5.56), so ratios start near 1.
 */
const scriptedThorRollout = definePlugin({
  kind: 'rollout',
  name: 'scripted-thor',
  summary: 'Test rollout: THOR step-level rollouts generated by a scripted policy',
  options: z.object({ passRateN: z.number().int().positive().default(4), delLastTokens: z.number().int().nonnegative().default(4) }).strict(),
  create: (o, ctx): RolloutStrategy => {
    const inner = failedStepRegenerationRollout.create(
      { budgetLine: false, maxSpawnDepth: 2, entropyTokens: 20, passRateN: o.passRateN, delLastTokens: o.delLastTokens, codeTools: ['python'], emptyOutputFails: true, stopOnFailure: true, dropNoCode: true, maxStepsPerPrompt: 1, flagKey: 'stepLevel' },
      ctx,
    );
    const order: number[] = [];
    const script = (c: ScriptCall) => {
      if (!c.text.endsWith('Let me comp')) return 'Let me compute.<python>bad</python>';
      if (!order.includes(c.row)) order.push(c.row);
      return `ute.<python>${['ok', 'bad', 'ok', 'ok'][order.indexOf(c.row) % 4]}</python>`;
    };
    return { rollout: (input) => inner.rollout({ ...input, policy: new ScriptedPolicy({ script, logProb: -5.56 }) }) };
  },
});

describe('thor: one training step on a hierarchical batch', () => {
  beforeAll(useWasmBackend);

  it('trains the step groups (execution rewards [1, 0, 1, 1]) with the NLL term; the flat trajectory groups are filtered', async () => {
    const recipe = resolveRecipe('thor', [
      { plugins: [{ replace: 'tool/python', with: ['tool/scripted-python'] }, { replace: 'rollout/failed-step-regeneration', with: ['rollout/scripted-thor'] }] },
      ['seed=3', 'steps=1', 'groupSize=2', 'promptsPerStep=2', 'decode.maxNewTokens=64', 'limits.maxTotalTokens=256', 'optimizer.lr=0.01', 'optimizer.warmupSteps=0', 'miniBatches=1'],
    ]);
    const tokenizer = new ByteTokenizer();
    const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 11);
    const runDir = mkdtempSync(join(tmpdir(), 'tirl-thor-'));
    try {
      const watched = 'model.layers.0.mlp.up_proj.weight';
      const before = model.namedWeights().get(watched)!.dataSync().slice();
      const { history } = await train({ recipe, model, tokenizer, dataset, runDir, plugins: [scriptedPython, scriptedThorRollout], progress: false });
      const m = history[0];
      if (process.env.TIRL_DEBUG_STEP) console.log(JSON.stringify(m));
      // Two prompts × two failing rollouts: two chosen (one per prompt at most), four continuations each.
      expect([m['rollout/step_groups'], m['rollout/step_rows'], m['rollout/step_pass_fraction']]).toEqual([2, 8, 0.75]);
      // The trajectory groups score 0, 0 (no answer) and are dropped; the two step groups train (8 rows).
      expect([m['filter/kept_groups'], m['batch/rows']]).toEqual([2, 8]);
      // Trained tokens: "ute.<python>ok</python>" is 23 tokens, "ute.<python>bad</python>" 24: 2 × (3 × 23 + 24) = 186.
      expect(m['batch/trained_tokens']).toBe(186);
      // Positive advantages on the 6 passing rows: 6 × 23 = 138 of 186 tokens are selected by the NLL term.
      expect(m['regularizer/nll-on-positive/selected_fraction']).toBeCloseTo(138 / 186, 6);
      expect(Number.isFinite(m['loss/total'])).toBe(true);
      expect(model.namedWeights().get(watched)!.dataSync().some((x, i) => Math.abs(x - before[i]) > 1e-7)).toBe(true);
    } finally {
      model.dispose();
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
