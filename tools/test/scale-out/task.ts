import { definePlugin, type Sample } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { findRedisServer } from '@tirl/scale-out';
import { z } from 'zod';

/** Four arithmetic questions, a sampler that cycles through them in order, and a reward with variance. */
export const dataset: Sample[] = ['2+3', '4+4', '1+6', '3+5'].map((q, i) => ({
  id: `q${i + 1}`,
  messages: [{ role: 'user', content: `What is ${q}? Answer in <answer></answer>.` }],
  answer: String(eval(q)),
}));

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

/** Share of generated characters equal to the answer digit: smooth, so groups have variance. */
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
    promptsPerStep: 3,
    groupSize: 3,
    microBatchRows: 9,
    optimizer: { lr: 0.01 },
    decode: { maxNewTokens: 10 },
    limits: { maxTurns: 1, maxTotalTokens: 256 },
    scaleOut: { groupsPerJob: 1 },
  },
};

export const tokenizer = new ByteTokenizer();

/** The same tiny model every time (seeded). */
export const newModel = () =>
  createTinyModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 },
    11,
  );

/** Metrics that do not depend on wall clock or on where rollouts ran. */
export const learning = (rows: Record<string, number>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => /^(loss|reward|advantage|objective|update|batch)\//.test(k))));

/**
 * `describe` when redis-server is installed; otherwise one failing test names the fix. Without
 * TIRL_REQUIRE_SERVICES=1, jest.config.js leaves these suites out with a one-line reason instead.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (findRedisServer()) return describe(name, body);
  describe(name, () => it('needs redis-server', () => {
    throw new Error('redis-server not found: apt-get install -y redis-server');
  }));
}
