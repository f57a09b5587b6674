import { parseOptions, type PromptSampler, type Sample } from '@tirl/core';
import { runSamplerKit, testPluginContext } from '@tirl/core/testing';
import { apportion, modelFittingDifficulty, tapirCurriculum } from '../src';

runSamplerKit(tapirCurriculum, {
  valid: { difficulty: 'pass-rate', threshold: 0.5 },
  invalid: [{ options: { difficulty: 'judge' }, field: 'difficulty' }, { options: { taskWeights: { math: -1 } }, field: 'taskWeights' }],
});

const make = (options: Record<string, unknown>) =>
  tapirCurriculum.create(parseOptions(tapirCurriculum.id, tapirCurriculum.options, options), testPluginContext(tapirCurriculum.id)) as PromptSampler;

const sample = (id: string, task: string, teacherScore: number, studentScore: number): Sample => ({
  id,
  messages: [{ role: 'user', content: id }],
  meta: { task, teacherScore, studentScore },
});

describe('sampler/tapir-curriculum (TAPIR §3)', () => {
  it('worked example: teacher 9, student 5 → MFD 4 > δ = 3 selected; {chat 80, math 20} at 1:1 with 40 → 20 and 20', () => {
    expect(modelFittingDifficulty(9, 5)).toBe(4);
    expect([...apportion(40, [['chat', 1], ['math', 1]])]).toEqual([['chat', 20], ['math', 20]]);
    const data = [
      ...Array.from({ length: 80 }, (_, i) => sample(`c${i}`, 'chat', 9, i < 40 ? 5 : 8)),
      ...Array.from({ length: 20 }, (_, i) => sample(`m${i}`, 'math', 9, i < 10 ? 5 : 8)),
    ];
    const s = make({ threshold: 3, hardShare: { start: 0.5, end: 0.5, steps: 1 } });
    s.setDataset(data);
    const picked = s.next(40, 0).map((p) => p.sample);
    const chat = picked.filter((p) => p.meta?.task === 'chat');
    const math = picked.filter((p) => p.meta?.task === 'math');
    expect([chat.length, math.length]).toEqual([20, 20]);
    // α = 0.5 → 10 of each task's 20 are hard (MFD 4); the other 10 easy (MFD 1).
    const hard = (xs: Sample[]) => xs.filter((x) => (x.meta!.teacherScore as number) - (x.meta!.studentScore as number) > 3).length;
    expect([hard(chat), hard(math)]).toEqual([10, 10]);
  });

  it('weights 3:1 and α rising 0 → 1 over 4 steps: 8 draws give 6/2, all easy at step 0 and all hard at step 4', () => {
    // apportion(8, 3:1) = 6, 2 exactly; α(0) = 0, α(4) = 1 (linear).
    const data = [sample('a1', 'a', 9, 1), sample('a2', 'a', 9, 9), sample('b1', 'b', 9, 1), sample('b2', 'b', 9, 9)];
    const s = make({ taskWeights: { a: 3, b: 1 }, hardShare: { start: 0, end: 1, steps: 4 } });
    s.setDataset(data);
    const at0 = s.next(8, 0).map((p) => p.sample.id);
    expect(at0.filter((id) => id.startsWith('a'))).toHaveLength(6);
    expect(new Set(at0)).toEqual(new Set(['a2', 'b2']));
    expect(new Set(s.next(8, 4).map((p) => p.sample.id))).toEqual(new Set(['a1', 'b1']));
  });

  it('apportion: 5 over 1:1:1 gives the two extra draws to the earliest keys', () => {
    expect([...apportion(5, [['x', 1], ['y', 1], ['z', 1]]).values()]).toEqual([2, 2, 1]);
  });

  it('pass-rate difficulty: an unsolved prompt is hard (1 − 0 > 0.5), a solved one easy', () => {
    const s = make({ difficulty: 'pass-rate', threshold: 0.5, hardShare: { start: 1, end: 1, steps: 1 } });
    s.setDataset([sample('p', 't', 0, 0), sample('q', 't', 0, 0)]);
    s.observe!([{ sampleId: 'p', rewards: [1, 1] }, { sampleId: 'q', rewards: [0, 0] }]);
    expect(s.next(3, 0).map((x) => x.sample.id)).toEqual(['q', 'q', 'q']);
  });

  it('mfd without judge scores names the missing meta keys', () => {
    const s = make({});
    expect(() => s.setDataset([{ id: 'z', messages: [] }])).toThrow(/"z" needs numeric meta\.teacherScore and meta\.studentScore/);
  });
});
