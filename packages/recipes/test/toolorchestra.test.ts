import { buildBatch, composeRun, parseOptions, RunCatalog, type AdvantageEstimator, type RewardFunction, type Sample } from '@tirl/core';
import { expectClose, makeTrajectory, testPluginContext } from '@tirl/core/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the method's plugins, run with the options the method gives them
import { grpo } from '@tirl/advantage';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { toolOrchestra } from '@tirl/rewards';
import { methods, recipes, scales, tasks } from '../src';

const run = composeRun('toolorchestra', { catalog: new RunCatalog({ methods, recipes, tasks, scales }) });
const optionsOf = (id: string) => run.plugins.find((p) => p.id === id)!.options;

describe('toolorchestra method', () => {
  it('composes the orchestrator, the preference reward in place of exact match, GRPO and the 0.1 homogeneity filter', () => {
    expect(run.plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['router/orchestrator', 'reward/tool-orchestra', 'advantage/grpo', 'filter/dynamic-sampling']));
    expect(run.plugins.map((p) => p.id)).not.toContain('reward/exact-match');
    expect(optionsOf('filter/dynamic-sampling')).toMatchObject({ minStd: 0.1 });
    expect(run.settings).toMatchObject({ groupSize: 8, promptsPerStep: 16, optimizer: { lr: 1e-6 }, limits: { maxTurns: 50 } });
  });

  it('gives the worked example its rewards and GRPO advantages', async () => {
    // 4 rollouts: solved [1, 1, 0, 1], search calls [2, 4, 1, 3], cost [0.02, 0.01, 0.03, 0.04],
    // P = {search 0.5, outcome 1, compute 1, latency 0}.
    // search: min 1, max 4 → [1/3, 1, 0, 2/3], × 0.5 → [0.1667, 0.5, 0, 0.3333];
    // outcome [1, 1, 0, 1] → [1, 1, 0, 1]; −cost [−.02, −.01, −.03, −.04]: min −.04, max −.01 → [2/3, 1, 1/3, 0].
    // R (solved only) = [0.1667 + 1 + 0.6667, 0.5 + 1 + 1, 0, 0.3333 + 1 + 0] = [1.8333, 2.5, 0, 1.3333].
    // mean 5.6667 / 4 = 1.41667; deviations [0.41667, 1.08333, −1.41667, −0.08333], squares sum 3.36111,
    // sample std √(3.36111 / 3) = 1.05848 → A = [0.3936, 1.0235, −1.3384, −0.0787].
    const sample: Sample = { id: 'q', messages: [{ role: 'user', content: 'q' }], answer: 'Paris', meta: { preference: { tools: { search: 0.5 }, outcome: 1, compute: 1, latency: 0 } } };
    const calls = [2, 4, 1, 3];
    const costs = [0.02, 0.01, 0.03, 0.04];
    const answers = ['Paris', 'Paris', 'Rome', 'Paris'];
    const trajectories = answers.map((a, i) => {
      const t = makeTrajectory({ id: `r${i}`, groupId: 'q', segments: [['prompt', 2], ['policy', 3]] });
      t.segments[1].text = `<answer>${a}</answer>`;
      t.toolCalls = Array.from({ length: calls[i] }, (_, k) => ({ turn: k, name: 'search', args: {}, ok: true, observation: '', cost: k === 0 ? costs[i] : 0 }));
      return t;
    });
    const reward = toolOrchestra.create(parseOptions(toolOrchestra.id, toolOrchestra.options, optionsOf('reward/tool-orchestra')), testPluginContext(toolOrchestra.id)) as RewardFunction;
    const { scores } = await reward.score({ trajectories, samples: new Map([['q', sample]]), step: 0 });
    expectClose(scores, [1.8333333, 2.5, 0, 1.3333333], 1e-5);
    const batch = buildBatch(trajectories);
    const adv = (grpo.create(parseOptions(grpo.id, grpo.options, optionsOf('advantage/grpo')), testPluginContext(grpo.id)) as AdvantageEstimator).compute({ batch, scores: Float32Array.from(scores) });
    expectClose(adv.advantages.arraySync().map((row) => row[2]), [0.3936, 1.0235, -1.3384, -0.0787], 1e-4);
    adv.advantages.dispose();
    batch.dispose();
  });
});
