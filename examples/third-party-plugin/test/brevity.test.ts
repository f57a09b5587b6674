import { composeRun, parseOptions, RunCatalog, type RewardFunction, type Trajectory } from '@tirl/core';
import { runRewardKit, testPluginContext } from '@tirl/core/testing';
import { methods as builtInMethods } from '@tirl/recipes';
import { brevity, briefGrpo, greetingTask } from '../src';

runRewardKit(brevity, { valid: { target: 50 }, invalid: [{ options: { target: 0 }, field: 'target' }, { options: { weight: -1 }, field: 'weight' }] });

/** A rollout whose policy writes `policy` (one segment per string) and whose tool answers `tool`. */
function rollout(id: string, policy: string[], tool = 'tool output that must not count'): Trajectory {
  return {
    id,
    sampleId: 's',
    groupId: 's',
    rootId: id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: [1], text: 'prompt text that must not count' },
      ...policy.flatMap((text, turn) => [
        { source: 'policy' as const, role: 'agent', tokenIds: [2], logProbs: [-1], text, turn },
        { source: 'tool' as const, role: 'agent', tokenIds: [3], text: tool, turn },
      ]),
    ],
    toolCalls: [],
    finishReason: 'stop',
  };
}

describe('reward/brevity', () => {
  const scores = async (options: Record<string, unknown>, trajectories: Trajectory[]) => {
    const reward = brevity.create(parseOptions(brevity.id, brevity.options, options), testPluginContext(brevity.id)) as RewardFunction;
    return (await reward.score({ trajectories, samples: new Map(), step: 0 })).scores;
  };

  it('scores weight · max(0, 1 − policy characters / target), counting policy text only', async () => {
    const out = await scores({ target: 20, weight: 0.5 }, [rollout('a', ['abcde']), rollout('b', ['abc', 'defgh']), rollout('c', ['x'.repeat(30)]), rollout('d', [])]);
    // a: 5 chars → 0.5·(1 − 5/20) = 0.375; b: 3 + 5 = 8 → 0.5·(1 − 8/20) = 0.3;
    // c: 30 > 20 → 0.5·max(0, −0.5) = 0; d: nothing written → 0.5·1 = 0.5
    expect(out).toEqual([0.375, 0.3, 0, 0.5]);
  });

  it('defaults to target 200 and weight 0.1', async () => {
    // 50 chars: 0.1·(1 − 50/200) = 0.075
    expect((await scores({}, [rollout('a', ['y'.repeat(50)])]))[0]).toBeCloseTo(0.075, 12);
  });
});

describe('method brief-grpo on task greeting', () => {
  it('is GRPO plus reward/brevity, with the task bringing exact match and the xml-tags tool format', () => {
    const catalog = new RunCatalog({ methods: [...builtInMethods, briefGrpo], tasks: [greetingTask] });
    const run = composeRun({ method: 'brief-grpo', task: 'greeting' }, { catalog });
    const ids = run.plugins.map((p) => p.id);
    expect(run.chain.slice(-2)).toEqual(['grpo', 'brief-grpo']);
    expect(ids).toEqual(expect.arrayContaining(['advantage/grpo', 'reward/brevity', 'reward/exact-match', 'toolFormat/xml-tags']));
    expect(run.plugins.find((p) => p.id === 'reward/brevity')?.options).toMatchObject({ target: 120, weight: 0.1 });
    expect(run.packages).toContain('tirl-plugin-brevity');
    expect(run.settings).toMatchObject({ limits: { maxTurns: 1 } });
  });
});
