import { otc } from '../src';
import { buildInput, createReward, type RewardCaseInput } from './helpers';

const samples = [{ id: 'q1', messages: [], answer: 'paris' }];
const call = { name: 'search', args: { query: 'x' } };
const step1: RewardCaseInput = { samples, trajectories: [{ id: 'x', text: '<answer>Paris</answer>', toolCalls: [call] }] };
const step2: RewardCaseInput = { samples, trajectories: [{ id: 'y', text: '<answer>Paris</answer>', toolCalls: [call, call, call] }], step: 1 };

describe('reward/otc cross-step state', () => {
  it('keeps the running minimum across steps and across a save/load round trip', async () => {
    const reward = createReward(otc, { c: 4 });
    const s1 = buildInput(step1);
    reward.observe?.(s1, (await reward.score(s1)).scores);
    expect(reward.state?.()).toEqual({ minCalls: { q1: 1 } });

    // global n = min(stored 1, local 3) = 1; m = 3: f = 2·1·3/(3+1) = 1.5, sin(1.5·π/2) = sin(3π/4) = 0.7071068
    const expected = Math.sin((3 * Math.PI) / 4);
    expect((await reward.score(buildInput(step2))).scores[0]).toBeCloseTo(expected, 6);

    const saved = JSON.parse(JSON.stringify(reward.state?.()));
    const restored = createReward(otc, { c: 4 });
    restored.loadState?.(saved);
    expect((await restored.score(buildInput(step2))).scores[0]).toBeCloseTo(expected, 6);

    // without the state, n is the local minimum 3 = m → sin(π/2) = 1
    expect((await createReward(otc, { c: 4 }).score(buildInput(step2))).scores[0]).toBeCloseTo(1, 6);
  });

  it('does not lower the minimum from wrong rollouts, and ignores state in local mode', async () => {
    const reward = createReward(otc, { c: 4 });
    const wrong = buildInput({ samples, trajectories: [{ id: 'z', text: '<answer>Rome</answer>' }] });
    reward.observe?.(wrong, (await reward.score(wrong)).scores);
    expect(reward.state?.()).toEqual({ minCalls: {} });
    const local = createReward(otc, { c: 4, mode: 'local' });
    local.loadState?.({ minCalls: { q1: 1 } });
    expect((await local.score(buildInput(step2))).scores[0]).toBeCloseTo(1, 6);
  });
});
