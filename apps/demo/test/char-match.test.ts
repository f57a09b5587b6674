import type { Trajectory } from '@tirl/core';
import { runRewardKit, testPluginContext } from '@tirl/core/testing';
import { charMatch, charMatchReward } from '../src/plugins/char-match';

runRewardKit(charMatchReward, {
  valid: { weight: 1 },
  invalid: [
    { options: { weight: 0 }, field: 'weight' },
    { options: { weight: 'half' }, field: 'weight' },
  ],
});

describe('charMatch (matches at the same position / longer length)', () => {
  it.each([
    // identical: 4 matches / 4
    ['Nake', 'Nake', 1],
    // N,a,k match, e≠o: 3 / 4
    ['Nako', 'Nake', 0.75],
    // no position matches: 0 / 4
    ['Bodu', 'Nake', 0],
    // prefix "Na" of 4: 2 / max(2, 4) = 0.5
    ['Na', 'Nake', 0.5],
    // "Nakeke" has 4 matches over 6 characters: 4 / 6
    ['Nakeke', 'Nake', 4 / 6],
    // whitespace is trimmed: " Nake " is "Nake", 4 / 4
    [' Nake ', 'Nake', 1],
    // empty prediction: 0 / 4
    ['', 'Nake', 0],
  ])('charMatch(%j, %j) = %d', (prediction, gold, expected) => {
    expect(charMatch(prediction, gold)).toBeCloseTo(expected, 10);
  });
});

function trajectory(id: string, text: string): Trajectory {
  return {
    id,
    sampleId: 'q1',
    groupId: 'q1',
    rootId: id,
    role: 'agent',
    segments: [{ source: 'policy', role: 'agent', tokenIds: [1], logProbs: [0], text, turn: 0 }],
    toolCalls: [],
  };
}

describe('reward/char-match', () => {
  const samples = new Map([['q1', { id: 'q1', messages: [{ role: 'user' as const, content: 'Capital of Pureti?' }], answer: 'Nake' }]]);

  it('scores the <answer> by weight × charMatch, and 0 without an answer', async () => {
    const reward = charMatchReward.create({ weight: 0.5 }, testPluginContext('reward/char-match'));
    const out = await reward.score({
      trajectories: [trajectory('a', '<answer>Nake</answer>'), trajectory('b', '<answer>Nako</answer>'), trajectory('c', 'no answer')],
      samples,
      step: 0,
    });
    // 0.5 × 1 = 0.5; 0.5 × 3/4 = 0.375; no <answer> tag and no final-answer line = 0
    expect(out.scores[0]).toBeCloseTo(0.5, 10);
    expect(out.scores[1]).toBeCloseTo(0.375, 10);
    expect(out.scores[2]).toBe(0);
  });

  it('fails only the trajectories whose sample has no gold answer (NaN), scoring the others', async () => {
    const reward = charMatchReward.create({ weight: 0.5 }, testPluginContext('reward/char-match'));
    const other = { ...trajectory('b', '<answer>Nake</answer>'), sampleId: 'q2' };
    const samples = new Map([['q1', { id: 'q1', messages: [] }], ['q2', { id: 'q2', messages: [], answer: 'Nake' }]]);
    const out = await reward.score({ trajectories: [trajectory('a', '<answer>Nake</answer>'), other], samples, step: 0 });
    // a: no gold → NaN; b: all 4 characters match → 0.5 × 4/4 = 0.5
    expect(out.scores[0]).toBeNaN();
    expect(out.scores[1]).toBeCloseTo(0.5, 10);
  });
});
