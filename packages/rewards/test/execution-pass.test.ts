import { runRewardKit } from '@tirl/core/testing';
import { executionPassReward } from '../src';
import { scoreCase } from './helpers';

runRewardKit(executionPassReward, {
  invalid: [
    { options: { check: 'judge' }, field: 'check' },
    { options: { codeTools: [] }, field: 'codeTools' },
    { options: { flagKey: '' }, field: 'flagKey' },
  ],
});

const step = (id: string, call?: { ok: boolean; observation: string; name?: string; error?: string }) => ({
  id,
  sample: 'q1#step:r0',
  text: '<python>x</python>',
  meta: { stepLevel: true },
  toolCalls: call ? [{ name: 'python', ...call }] : [],
});

describe('reward/execution-pass (THOR naive.py)', () => {
  it('scores a step group by execution (the worked example [1, 0, 1, 1]) and trajectory rows by their answer', async () => {
    const out = await scoreCase(executionPassReward, {
      samples: [
        { id: 'q1', answer: '4' },
        { id: 'q1#step:r0', answer: '4' },
      ],
      trajectories: [
        // Trajectory level: correct (math check 4 = 4.0), then wrong.
        { id: 'r0', text: '<answer>4.0</answer>' },
        { id: 'r1', text: '<answer>5</answer>' },
        step('s0', { ok: true, observation: 'stdout:\n4' }),
        step('s1', { ok: false, error: 'exception', observation: 'error:\nNameError' }),
        step('s2', { ok: true, observation: 'result: 4' }),
        step('s3', { ok: true, observation: 'stdout:\n2' }),
      ],
    });
    expect(out.scores).toEqual([1, 0, 1, 0, 1, 1]);
    // A step row is never judged on an answer, even one that is right.
    const answered = await scoreCase(executionPassReward, {
      samples: [{ id: 'q1#step:r0', answer: '4' }],
      trajectories: [{ ...step('s', { ok: false, observation: 'error' }), text: '<answer>4</answer>' }],
    });
    expect(answered.scores).toEqual([0]);
  });

  it('empty output fails unless emptyOutputFails is off; a row without code scores noCode; a refused call is not an execution', async () => {
    const trajectories = [step('a', { ok: true, observation: '(no output)' }), step('b'), step('c', { ok: false, error: 'budget', observation: 'refused' })];
    const samples = [{ id: 'q1#step:r0', answer: '4' }];
    expect((await scoreCase(executionPassReward, { samples, trajectories })).scores).toEqual([0, 0, 0]);
    expect((await scoreCase(executionPassReward, { samples, trajectories, options: { emptyOutputFails: false, noCode: 1 } })).scores).toEqual([1, 1, 1]);
  });

  it('check none leaves trajectory rows to the task (0)', async () => {
    const out = await scoreCase(executionPassReward, { options: { check: 'none' }, samples: [{ id: 'q1', answer: '4' }], trajectories: [{ id: 'r0', text: '<answer>4</answer>' }] });
    expect(out.scores).toEqual([0]);
  });
});
