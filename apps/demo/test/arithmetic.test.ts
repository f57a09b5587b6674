import { createExperiment, Tokens, type Sample, type Trajectory } from '@tirl/core';
import { ByteTokenizer } from '@tirl/policy';
import { scoreTrajectories } from '@tirl/trainer';
import { ACCURACY, buildRecipe, DEFAULT_OPTIONS, runDemo, type DemoOptions } from '../src/demo';
import { demoPlugins } from '../src/plugins/compact-xml-tags';
import { tempDirPerTest, tinyRun } from './tiny-run';
import { toolCallsByNeed } from '../src/report';
import { demonstrationTraces } from '../src/sft';
import { arithmeticTask, arithmeticTeacher, callsNeedlessly } from '../src/tasks/arithmetic';
import { makeTask } from '../src/tasks';

const parse = (s: Sample) => {
  const m = s.messages[0].content.match(/^(\d+)\*(\d+)=\?$/);
  if (!m) throw new Error(`not an arithmetic question: ${s.messages[0].content}`);
  return { a: Number(m[1]), b: Number(m[2]) };
};
const text = (t: Trajectory) => t.segments.map((s) => s.text ?? '').join('');

describe('arithmetic task', () => {
  const task = arithmeticTask({ seed: 1, questions: 400, heldOut: 40 });

  it('generates correct answers, 30% easy questions and disjoint train / held-out sets', () => {
    expect(task.train).toHaveLength(360);
    expect(task.heldOut).toHaveLength(40);
    for (const s of [...task.train, ...task.heldOut]) {
      const { a, b } = parse(s);
      expect(String(s.answer)).toBe(String(a * b));
      expect(a).toBeGreaterThanOrEqual(100);
      expect(a).toBeLessThanOrEqual(999);
      if (s.meta?.needsTool === false) {
        expect([0, 1]).toContain(b);
      } else {
        expect(b).toBeGreaterThanOrEqual(10);
        expect(String(a * b)).toHaveLength(5);
      }
    }
    // round(0.3 × 400) = 120 easy in all; round(0.3 × 40) = 12 of them held out, 108 in training.
    expect(task.heldOut.filter((s) => s.meta?.needsTool === false)).toHaveLength(12);
    expect(task.train.filter((s) => s.meta?.needsTool === false)).toHaveLength(108);
    const trainTexts = new Set(task.train.map((s) => s.messages[0].content));
    expect(trainTexts.size).toBe(360);
    expect(task.heldOut.filter((s) => trainTexts.has(s.messages[0].content))).toEqual([]);
    expect(new Set([...task.train, ...task.heldOut].map((s) => s.id)).size).toBe(400);
  });

  it('is determined by the seed', () => {
    const again = arithmeticTask({ seed: 1, questions: 400, heldOut: 40 });
    const other = arithmeticTask({ seed: 2, questions: 400, heldOut: 40 });
    expect(again.train).toEqual(task.train);
    expect(again.heldOut).toEqual(task.heldOut);
    expect(other.train.map((s) => s.messages[0].content)).not.toEqual(task.train.map((s) => s.messages[0].content));
  });

  it('needless calls: the teacher calls python on the given share of easy questions, spread over a', () => {
    // frac(347·φ) = frac(214.458...) = 0.458: under a share of 0.5, over one of 0.4.
    expect(callsNeedlessly({ a: 347, b: 1 }, 0.5)).toBe(true);
    expect(callsNeedlessly({ a: 347, b: 1 }, 0.4)).toBe(false);
    const as = Array.from({ length: 900 }, (_, i) => 100 + i);
    for (const share of [0, 0.25, 0.5, 1]) {
      const calls = as.filter((a) => callsNeedlessly({ a, b: 0 }, share)).length;
      expect(Math.abs(calls / 900 - share)).toBeLessThan(0.01);
    }
    expect(() => arithmeticTask({ seed: 1, questions: 400, heldOut: 40, needlessCallShare: 1.5 })).toThrow(/needlessCallShare must be in \[0, 1\], got 1.5/);
  });

  it('refuses more easy questions than exist', () => {
    expect(() => arithmeticTask({ seed: 1, questions: 7000, heldOut: 64 })).toThrow(/1800 distinct easy questions, 2100 asked/);
  });

  it('teacher: answers easy questions directly, computes hard ones with python, then copies the print', () => {
    expect(arithmeticTeacher('<|user|>347*1=?<|eos|><|assistant|>')).toBe('<answer>347</answer>');
    expect(arithmeticTeacher('<|user|>347*0=?<|eos|><|assistant|>')).toBe('<answer>0</answer>');
    expect(arithmeticTeacher('<|user|>347*1=?<|eos|><|assistant|>', 1)).toBe('<python>print(347*1)</python>');
    expect(arithmeticTeacher('<|user|>347*29=?<|eos|><|assistant|>')).toBe('<python>print(347*29)</python>');
    expect(arithmeticTeacher('<|user|>347*29=?<|eos|><|assistant|><python>print(347*29)</python>\n<result>\nstdout:\n10063\n\n</result>\n')).toBe(
      '<answer>10063</answer>',
    );
  });
});

describe('arithmetic demonstrations through the rollout engine (Pyodide)', () => {
  const task = makeTask('arithmetic', 3, 40, 10, { needlessCallShare: 0.5 });
  const tokenizer = new ByteTokenizer();
  const o: DemoOptions = { ...DEFAULT_OPTIONS, task: 'arithmetic' };
  const easy = task.train.filter((s) => s.meta?.needsTool === false).slice(0, 3);
  const hard = task.train.filter((s) => s.meta?.needsTool !== false).slice(0, 3);
  const samples = [...easy, ...hard];

  it('records correct traces: python for hard questions and the needless share of easy ones, faithful calls on hard ones', async () => {
    const traces = await demonstrationTraces(buildRecipe('grpo', task, o, 'evaluate'), task, tokenizer, samples, ACCURACY);
    expect(traces).toHaveLength(6);
    for (const t of traces) {
      const s = samples.find((x) => x.id === t.sampleId)!;
      const { a, b } = parse(s);
      expect(text(t).endsWith(`<answer>${a * b}</answer>`)).toBe(true);
      if (s.meta?.needsTool === false) {
        expect(t.toolCalls).toHaveLength(callsNeedlessly({ a, b }, 0.5) ? 1 : 0);
        if (t.toolCalls.length) expect(task.isFaithfulCall(s, t.toolCalls[0].args)).toBe(false);
      } else {
        expect(t.toolCalls).toHaveLength(1);
        expect(t.toolCalls[0].ok).toBe(true);
        expect(task.isFaithfulCall(s, t.toolCalls[0].args)).toBe(true);
        expect(text(t)).toContain(`<result>\nstdout:\n${a * b}\n\n</result>`);
      }
    }
    const needless = easy.filter((s) => callsNeedlessly(parse(s), 0.5)).length;
    expect(toolCallsByNeed(traces, new Map(samples.map((s) => [s.id, s])))).toEqual({ toolCallsEasy: needless / easy.length, toolCallsHard: 1 });
  }, 40_000);

  it('otc-po method: a needless call on an easy question earns cos(π/4) instead of 1 (multiplied with correctness)', async () => {
    const recipe = buildRecipe('otc-po', task, o);
    expect(recipe.plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['reward/otc', 'reward/char-match']));
    expect(recipe.plugins.map((p) => p.id)).not.toContain('reward/exact-match');
    expect(buildRecipe('otc-po', task, o, 'evaluate').plugins.map((p) => p.id)).toContain('reward/exact-match');
    const evalRecipe = buildRecipe('otc-po', task, o, 'evaluate');
    // Teachers that never / always make the needless call.
    const needless = { ...task, teacher: (c: string) => arithmeticTeacher(c, 1) };
    const direct = await demonstrationTraces(evalRecipe, { ...task, teacher: (c: string) => arithmeticTeacher(c, 0) }, tokenizer, easy, ACCURACY);
    const withCall = await demonstrationTraces(evalRecipe, needless, tokenizer, easy, ACCURACY);
    expect(withCall.every((t) => t.toolCalls.length === 1)).toBe(true);
    const exp = createExperiment(recipe, { plugins: demoPlugins, services: [[Tokens.tokenizer, tokenizer]] });
    try {
      const rewards = exp.plugins.filter((p) => p.kind === 'reward');
      const bySample = new Map(easy.map((s) => [s.id, s]));
      // Step 1: correct without a call, so n = 0 for these questions; otc = 1, char-match = 0.5.
      const first = await scoreTrajectories(rewards, { trajectories: direct, samples: bySample, step: 0 });
      expect(first.totals).toEqual([1.5, 1.5, 1.5]);
      // Step 2: correct with m = 1 call, n = 0: r_tool = cos(1·π/(2·1 + c)), c = 2 (the tool-call limit) = cos(π/4).
      const second = await scoreTrajectories(rewards, { trajectories: withCall, samples: bySample, step: 1 });
      for (const total of second.totals) expect(total).toBeCloseTo(Math.SQRT1_2 + 0.5, 6);
    } finally {
      await exp.dispose();
    }
  }, 40_000);
});

describe('arithmetic demo pipeline', () => {
  const tempDir = tempDirPerTest('tirl-demo-arith-');

  it('runs SFT, evaluation, RL and the report with finite metrics, tool calls split by need', async () => {
    const dir = tempDir();
    const result = await runDemo(tinyRun(dir, { task: 'arithmetic', entities: 20, heldOut: 4 }));
    expect(result.rlHistory).toHaveLength(2);
    for (const m of result.rlHistory) expect(Number.isFinite(m['loss/total'])).toBe(true);
    for (const s of [result.before, result.after]) {
      expect(s.answers).toBe(4);
      for (const v of [s.accuracy, s.greedyAccuracy, s.toolCallsPerAnswer, s.invalidToolCallsPerAnswer, s.faithfulToolUse, s.toolCallsEasy, s.toolCallsHard]) {
        expect(Number.isFinite(v)).toBe(true);
      }
    }
  }, 300_000);
});
