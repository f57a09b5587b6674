import {
  buildBatch, composeRun, parseOptions, Rng, RunCatalog,
  type AdvantageEstimator, type AnyPluginDefinition, type RewardFunction, type RolloutStrategy, type Sample,
} from '@tirl/core';
import { expectClose, ScriptedPolicy, testPluginContext } from '@tirl/core/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the method's plugins, run with the options the method gives them
import { grpo } from '@tirl/advantage';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { adaptiveMode } from '@tirl/rewards';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { a2fmApoRollout, HermesFormat } from '@tirl/rollout-tree';
import { methods, recipes, scales, tasks } from '../src';

const catalog = new RunCatalog({ methods, recipes, tasks, scales });

function instance<T>(def: AnyPluginDefinition, options: Record<string, unknown>): T {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as T;
}

describe('a2fm-apo method', () => {
  it('composes the APO rollout (ρ = γ = 3, G = 12), the adaptive reward (α = 2) in place of the correctness reward, GRPO and PPO clip at lr 1e-6', () => {
    const run = composeRun({ method: 'a2fm-apo', task: 'math' }, { catalog });
    const optionsOf = (id: string) => run.plugins.find((p) => p.id === id)!.options;
    expect(run.plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['rollout/a2fm-apo', 'reward/adaptive-mode', 'advantage/grpo', 'objective/ppo-clip']));
    expect(run.plugins.map((p) => p.id)).not.toContain('reward/math-equivalence');
    expect(run.plugins.map((p) => p.id)).not.toContain('rollout/linear');
    expect(optionsOf('rollout/a2fm-apo')).toMatchObject({ rho: 3, gamma: 3, modes: ['default_agent', 'reasoning_agent', 'toolcalling_agent'] });
    expect(optionsOf('reward/adaptive-mode')).toMatchObject({ alpha: 2, instantMode: 'default_agent', penalizeForced: true, easyThreshold: 0 });
    expect(run.settings).toMatchObject({ groupSize: 12, optimizer: { lr: 1e-6 } });
  });

  it('gives the worked example (ρ = γ = 2, α = 2) its rewards and GRPO advantages, end to end from a scripted policy', async () => {
    const run = composeRun({ method: 'a2fm-apo', task: 'math', overrides: [['rollout/a2fm-apo.rho=2', 'rollout/a2fm-apo.gamma=2', 'groupSize=8']] }, { catalog });
    const optionsOf = (id: string) => run.plugins.find((p) => p.id === id)!.options;
    // Rows 0–1 forced instant, 2–3 forced reasoning, 4–5 forced agentic, 6–7 adaptive (the model writes its tag).
    // Correct answers: FI [1, 0], FR [1, 1], FA [1, 0]; adaptive: instant correct, reasoning correct.
    const wrong = new Set([1, 5]);
    const adaptiveTag = ['default_agent', 'reasoning_agent'];
    const policy = new ScriptedPolicy({
      logProb: -1,
      script: ({ row }) => {
        const answer = wrong.has(row) ? '<answer>Rome</answer>' : '<answer>Paris</answer>';
        return row >= 6 ? `<classification> ${adaptiveTag[row - 6]} </classification>${answer}` : answer;
      },
    });
    const sample: Sample = { id: 'q', messages: [{ role: 'user', content: 'Capital of France?' }], answer: 'Paris' };
    const rollout = instance<RolloutStrategy>(a2fmApoRollout, optionsOf('rollout/a2fm-apo'));
    const out = await rollout.rollout({
      samples: [{ sample, rollouts: 8 }],
      policy,
      tools: [],
      toolFormat: new HermesFormat({ stopAfterCall: true, observationPrefix: '\n', observationSuffix: '\n' }),
      decode: { maxNewTokens: 100 },
      limits: { maxTurns: 2, maxTotalTokens: 500, maxToolCalls: 2, toolTimeoutMs: 1000, concurrency: 2 },
      rng: new Rng(0),
      step: 0,
    });
    const trajectories = out.trees.flatMap((t) => t.trajectories);
    expect(trajectories.map((t) => [t.meta?.forced, t.meta?.mode])).toEqual([
      [true, 'default_agent'], [true, 'default_agent'], [true, 'reasoning_agent'], [true, 'reasoning_agent'],
      [true, 'toolcalling_agent'], [true, 'toolcalling_agent'], [false, 'default_agent'], [false, 'reasoning_agent'],
    ]);

    // p = mean accuracy of the forced instant rollouts = (1 + 0)/2 = 0.5; non-instant multiplier 1 − 0.5² = 0.75.
    // R = [1, 0 | 0.75, 0.75 | 0.75, 0 | 1 (adaptive instant), 0.75 (adaptive reasoning)].
    const reward = instance<RewardFunction>(adaptiveMode, optionsOf('reward/adaptive-mode'));
    const { scores } = await reward.score({ trajectories, samples: new Map([['q', sample]]), step: 0 });
    expectClose(scores, [1, 0, 0.75, 0.75, 0.75, 0, 1, 0.75], 1e-9);

    // One group of 8: mean 5/8 = 0.625; deviations [.375, −.625, .125, .125, .125, −.625, .375, .125],
    // squares sum 2·0.140625 + 2·0.390625 + 4·0.015625 = 1.125; unbiased std √(1.125/7) = 0.400892.
    // A = [0.9354, −1.5590, 0.3118, 0.3118, 0.3118, −1.5590, 0.9354, 0.3118].
    const batch = buildBatch(trajectories);
    const adv = instance<AdvantageEstimator>(grpo, optionsOf('advantage/grpo')).compute({ batch, scores: Float32Array.from(scores) });
    const rows = adv.advantages.arraySync();
    const firstTrained = rows.map((_, b) => Array.from(batch.lossMaskValues.subarray(b * rows[0].length, (b + 1) * rows[0].length)).indexOf(1));
    expectClose(rows.map((row, b) => row[firstTrained[b]]), [0.9354, -1.559, 0.3118, 0.3118, 0.3118, -1.559, 0.9354, 0.3118], 1e-4);
    adv.advantages.dispose();
    batch.dispose();
  });
});
