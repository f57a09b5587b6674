import { definePlugin, type Sample } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { z } from 'zod';

/** A two-question arithmetic task, a sampler that cycles through it in order, and a reward with variance. */
export const dataset: Sample[] = [
  { id: 'q1', messages: [{ role: 'user', content: 'What is 2+3? Answer in <answer></answer>.' }], answer: '5' },
  { id: 'q2', messages: [{ role: 'user', content: 'What is 4+4? Answer in <answer></answer>.' }], answer: '8' },
];

export const inOrderSampler = definePlugin({
  kind: 'sampler',
  name: 'in-order',
  summary: 'Test sampler: cycles through the dataset in order',
  options: z.object({}).strict(),
  create: () => {
    let data: readonly Sample[] = [];
    let cursor = 0;
    return {
      setDataset: (s: readonly Sample[]) => void (data = s),
      next: (n: number) => Array.from({ length: n }, () => ({ sample: data[cursor++ % data.length] })),
      state: () => ({ cursor }),
      loadState: (s: unknown) => void (cursor = (s as { cursor: number }).cursor),
    };
  },
});

/** Fraction of generated characters equal to the answer digit: smooth, so groups have variance. */
export const digitReward = definePlugin({
  kind: 'reward',
  name: 'answer-digit-share',
  summary: 'Test reward: share of generated characters that equal the answer',
  options: z.object({}).strict(),
  create: () => ({
    score: ({ trajectories, samples }) => ({
      scores: trajectories.map((t) => {
        const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
        const answer = String(samples.get(t.sampleId)?.answer ?? '');
        return text.length ? [...text].filter((c) => c === answer).length / text.length : 0;
      }),
    }),
  }),
});

export const testPlugins = [inOrderSampler, digitReward];

export const testRecipe = {
  name: 'test-grpo',
  plugins: [
    ['sampler/in-order'],
    ['rollout/linear'],
    ['toolFormat/xml-tags'],
    ['reward/answer-digit-share'],
    ['advantage/grpo'],
    ['objective/ppo-clip'],
    ['aggregation/token-mean'],
  ] as [string, Record<string, unknown>?][],
  settings: {
    seed: 7,
    steps: 3,
    promptsPerStep: 2,
    groupSize: 3,
    microBatchRows: 4,
    optimizer: { lr: 0.01 },
    decode: { maxNewTokens: 12 },
    limits: { maxTurns: 1, maxTotalTokens: 256 },
    checkpoint: { every: 1, keep: 5 },
  },
};

export const tokenizer = new ByteTokenizer();

/** The same tiny model every time (seeded). */
export const newModel = () =>
  createTinyModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 },
    11,
  );

/** Metrics without wall-clock timings, which legitimately differ between runs. */
export const stable = (rows: Record<string, number>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('time/') && !k.startsWith('throughput/'))));
