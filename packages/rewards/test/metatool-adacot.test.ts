import { runRewardKit } from '@tirl/core/testing';
import { adacotPareto, metatool } from '../src';
import { scoreCase } from './helpers';

runRewardKit(metatool, { invalid: [{ options: { task: 'which' }, field: 'task' }, { options: { match: 'partial' }, field: 'match' }] });
runRewardKit(adacotPareto, {
  valid: { unlabelled: 'no-penalty' },
  invalid: [{ options: { missPenalty: -1 }, field: 'missPenalty' }, { options: { unlabelled: 'skip' }, field: 'unlabelled' }],
});

describe('reward/metatool (MetaTool §3 tasks)', () => {
  it('selection from called tools: gold {weather, calendar}; exact set gives 0 for {weather}, Jaccard 1/2', async () => {
    // |{weather} ∩ {weather, calendar}| = 1, |∪| = 2 → Jaccard 1/2; set equality fails → CSR 0.
    const input = {
      samples: [{ id: 'q1', answer: ['weather', 'calendar'] }],
      trajectories: [
        { id: 'a', toolCalls: [{ name: 'weather' }] },
        { id: 'b', toolCalls: [{ name: 'calendar' }, { name: 'weather' }] },
        { id: 'c', toolCalls: [{ name: 'weather' }, { name: 'stocks' }, { name: 'calendar' }] },
      ],
    };
    expect((await scoreCase(metatool, input)).scores).toEqual([0, 1, 0]);
    // c: ∩ = 2, ∪ = 3 → 2/3.
    const partial = (await scoreCase(metatool, { ...input, options: { match: 'jaccard' } })).scores;
    expect(partial[0]).toBeCloseTo(0.5, 12);
    expect(partial[1]).toBe(1);
    expect(partial[2]).toBeCloseTo(2 / 3, 12);
  });

  it('reliability item (gold "None"): no tool → 1, a tool → 0; from the answer text too', async () => {
    const calls = await scoreCase(metatool, {
      samples: [{ id: 'q1', answer: 'None' }],
      trajectories: [{ id: 'a' }, { id: 'b', toolCalls: [{ name: 'weather' }] }],
    });
    expect(calls.scores).toEqual([1, 0]);
    const answer = await scoreCase(metatool, {
      options: { source: 'answer' },
      samples: [{ id: 'q1', answer: 'None' }, { id: 'q2', answer: 'Weather' }],
      trajectories: [
        { id: 'a', text: '<answer>None</answer>' },
        { id: 'b', text: '<answer>weather</answer>' },
        { id: 'c', sample: 'q2', text: '<answer>weather</answer>' },
      ],
    });
    expect(answer.scores).toEqual([1, 0, 1]);
  });

  it('awareness: a call means "yes"; the answer text can say it', async () => {
    const out = await scoreCase(metatool, {
      options: { task: 'awareness' },
      samples: [{ id: 'yes', answer: 'yes' }, { id: 'no', answer: 'no' }],
      trajectories: [
        { id: 'a', sample: 'yes', toolCalls: [{ name: 'search' }] },
        { id: 'b', sample: 'yes' },
        { id: 'c', sample: 'no' },
        { id: 'd', sample: 'no', toolCalls: [{ name: 'search' }] },
      ],
    });
    expect(out.scores).toEqual([1, 0, 1, 0]);
  });
});

describe('reward/adacot-pareto (AdaCoT penalties)', () => {
  // Worked example (test inputs): α1 = 0.3, α2 = 0.2, γ = 1; label no-CoT, think non-empty, format ok →
  // penalty −0.2 (R_base = 1 from the task's reward gives 0.8).
  const options = { missPenalty: 0.3, overPenalty: 0.2, formatPenalty: 1 };
  it('charges α2 for reasoning on a no-CoT query, α1 for skipping it on a CoT query, γ for a missing block', async () => {
    const out = await scoreCase(adacotPareto, {
      options,
      samples: [
        { id: 'easy', meta: { needsCot: false } },
        { id: 'hard', meta: { needsCot: true } },
      ],
      trajectories: [
        { id: 'a', sample: 'easy', text: '<think>2+2 is 4</think>4' }, // over → −0.2
        { id: 'b', sample: 'easy', text: '<think>\n</think>4' }, // empty block, no CoT needed → 0
        { id: 'c', sample: 'hard', text: '<think></think>42' }, // miss → −0.3
        { id: 'd', sample: 'hard', text: '<think>work</think>42' }, // → 0
        { id: 'e', sample: 'hard', text: '42' }, // no block → −γ = −1 (not also a miss)
      ],
    });
    expect(out.scores[0]).toBeCloseTo(-0.2, 12);
    expect(out.scores[1]).toBe(0);
    expect(out.scores[2]).toBeCloseTo(-0.3, 12);
    expect(out.scores[3]).toBe(0);
    expect(out.scores[4]).toBe(-1);
    expect(out.components.triggered).toEqual([1, 0, 0, 1, 0]);
  });

  it('an unlabelled sample is a failure naming the key, unless unlabelled: no-penalty', async () => {
    const input = { samples: [{ id: 'q1' }], trajectories: [{ id: 'a', text: '<think>x</think>y' }] };
    const out = await scoreCase(adacotPareto, input);
    expect(out.scores[0]).toBeNaN();
    const lenient = await scoreCase(adacotPareto, { ...input, options: { unlabelled: 'no-penalty' } });
    expect(lenient.scores).toEqual([0]);
  });
});
