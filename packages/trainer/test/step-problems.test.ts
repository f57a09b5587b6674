import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, resolveRecipe, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { train } from '../src';
import { stepProblems } from '../src/loop/step-problems';
import { dataset, newModel, testPlugins, testRecipe, tokenizer } from './task';

/** A reward that fails in the way its `mode` says. */
const badReward = definePlugin({
  kind: 'reward',
  name: 'bad',
  summary: 'Test reward that fails on purpose',
  options: z.object({ mode: z.enum(['throw', 'nan', 'inf', 'neg-inf', 'count']) }).strict(),
  create: ({ mode }) => ({
    score: ({ trajectories }) => {
      if (mode === 'throw') throw new Error('boom');
      if (mode === 'count') return { scores: [1] };
      const value = mode === 'nan' ? NaN : mode === 'inf' ? Infinity : -Infinity;
      return { scores: trajectories.map(() => value) };
    },
  }),
});

const events: string[] = [];
const warmProbe = definePlugin({
  kind: 'tool',
  name: 'warm-probe',
  summary: 'Test tool that records when it is warmed up',
  options: z.object({}).strict(),
  create: () => ({
    name: 'probe',
    description: 'never called',
    parameters: { type: 'object' },
    warmUp: async () => void events.push('warm-up'),
    call: async () => ({ ok: true, observation: '' }),
  }),
});
const orderProbe = definePlugin({
  kind: 'reward',
  name: 'order-probe',
  summary: 'Test reward that records when scoring happens',
  options: z.object({}).strict(),
  create: () => ({ score: ({ trajectories }) => (events.push('score'), { scores: trajectories.map(() => 0) }) }),
});

const plugins = [...testPlugins, badReward, warmProbe, orderProbe];
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-problems-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function oneStep(name: string, plugins_: [string, Record<string, unknown>?][], strict = false) {
  const recipe = resolveRecipe({ ...testRecipe, plugins: [...testRecipe.plugins, ...plugins_] }, ['steps=1'], { recipes: [] });
  const notes: string[] = [];
  const model = newModel();
  try {
    const out = await train({ recipe, model, tokenizer, dataset, runDir: join(dir, name), plugins, progress: false, log: (l) => notes.push(l), strict });
    return { notes, metrics: out.history[0] };
  } finally {
    model.dispose();
  }
}

describe('failing rewards are printed once per step, with the count and the first example', () => {
  // 2 prompts × group of 3 = 6 trajectories per step, all scored by the failing reward.
  it.each([
    ['throw', 'boom'],
    ['nan', 'score is NaN'],
    ['inf', 'score is Infinity'],
    ['neg-inf', 'score is -Infinity'],
    ['count', 'returned 1 scores for 6 trajectories'],
  ])('a reward in mode %s', async (mode, message) => {
    const { notes, metrics } = await oneStep(`mode-${mode}`, [['reward/bad', { mode }]]);
    const lines = notes.filter((l) => l.startsWith('step 0: reward reward/bad'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^step 0: reward reward/bad failed ×6; first: trajectory "[^"]+" of sample "q1": ${message}$`));
    expect(metrics['problems/reward_failures']).toBe(6);
  }, 60_000);

  it('samples without the answer a reward needs are reported through the same line', async () => {
    const noAnswer = dataset.map((s) => ({ ...s, answer: undefined }));
    const recipe = resolveRecipe({ ...testRecipe, plugins: [...testRecipe.plugins, ['reward/exact-match']] }, ['steps=1'], { recipes: [] });
    const notes: string[] = [];
    const model = newModel();
    await train({ recipe, model, tokenizer, dataset: noAnswer, runDir: join(dir, 'no-answer'), plugins, progress: false, log: (l) => notes.push(l) });
    model.dispose();
    expect(notes.filter((l) => l.includes('reward/exact-match'))).toEqual([
      expect.stringMatching(/^step 0: reward reward\/exact-match failed ×6; first: trajectory "[^"]+" of sample "q1": reward\/exact-match: sample "q1" has no answer \(set sample\.answer\)$/),
    ]);
  }, 60_000);

  it('--strict stops the run before the step trains or checkpoints', async () => {
    await expect(oneStep('strict', [['reward/bad', { mode: 'nan' }]], true)).rejects.toThrow(
      /^step 0: reward reward\/bad failed ×6; first: trajectory "[^"]+" of sample "q1": score is NaN\n\(--strict stops on failing rewards, skipped samples and dropped trajectories; fix the data or reward, or run without --strict\)$/,
    );
    expect(existsSync(join(dir, 'strict', 'checkpoints', 'step-000001'))).toBe(false);
  }, 60_000);
});

describe('skipped samples and dropped trajectories', () => {
  const traj = (id: string, sampleId: string, policyTokens: number, over: Partial<Trajectory> = {}): Trajectory => ({
    id,
    sampleId,
    groupId: sampleId,
    rootId: over.parentId ? 'r' : id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: [1, 2] },
      { source: 'policy', role: 'agent', tokenIds: new Array(policyTokens).fill(3), logProbs: new Array(policyTokens).fill(0) },
    ],
    toolCalls: [],
    finishReason: 'context',
    ...over,
  });
  it('counts a sample whose rollouts generated nothing once, and a lone empty trajectory as dropped', () => {
    const problems = stepProblems([traj('a0', 'a', 0), traj('a1', 'a', 0), traj('b0', 'b', 4), traj('b1', 'b', 0, { finishReason: 'max_tokens' })]);
    expect(problems).toEqual([
      { what: 'sample skipped', count: 1, example: 'sample "a": none of its 2 rollouts generated a token (finish: context)' },
      { what: 'trajectory dropped', count: 1, example: 'trajectory "b1" of sample "b" has no generated token (finish: max_tokens)' },
    ]);
  });
});

describe('tool warm-up', () => {
  it('every tool is warmed up before the first step scores anything', async () => {
    events.length = 0;
    await oneStep('warm', [['tool/warm-probe'], ['reward/order-probe']]);
    expect(events[0]).toBe('warm-up');
    expect(events.filter((e) => e === 'warm-up')).toHaveLength(1);
    expect(events).toContain('score');
  }, 60_000);
});
