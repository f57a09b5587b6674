import { buildBatch, createExperiment, definePlugin, resolveRecipe, Rng, scoreAll, type RewardFunction, type RolloutInput, type Sample, type Trajectory, type TrajectoryGroup } from '@tirl/core';
import { ScriptedPolicy, type ScriptCall } from '@tirl/core/testing';
import { z } from 'zod';

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
