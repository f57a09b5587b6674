import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrained, Policy, type CausalLM } from '../src';
import { DecimalTokenizer, maxAbsDiff, TINY_LLAMA } from './helpers';

interface Case {
  ids: number[];
  logits: number[][];
  nextTokenLogProbs: number[];
  greedy8: number[];
}
const expected = JSON.parse(readFileSync(join(TINY_LLAMA, 'expected.json'), 'utf8')) as { cases: Case[] };

describe('tiny-llama parity with the independent PyTorch reference', () => {
  let model: CausalLM;
  beforeAll(async () => {
    ({ model } = await loadPretrained(TINY_LLAMA));
  });
  afterAll(() => model.dispose());

  it.each(expected.cases.map((c, i) => [i, c] as const))('case %i: logits within 1e-4', (_, c) => {
    const ids = tf.tensor2d([c.ids], [1, c.ids.length], 'int32');
    const logits = model.logits(ids);
    const diff = maxAbsDiff(logits.arraySync()[0], c.logits);
    tf.dispose([ids, logits]);
    expect(diff).toBeLessThan(1e-4);
  });

  it('next-token log-probs match, aligned as in buildBatch (position 0 is 0)', () => {
    const T = Math.max(...expected.cases.map((c) => c.ids.length));
    const rows = expected.cases.map((c) => [...c.ids, ...new Array(T - c.ids.length).fill(0)]);
    const mask = expected.cases.map((c) => rows[0].map((_, t) => (t < c.ids.length ? 1 : 0)));
    const ids = tf.tensor2d(rows, undefined, 'int32');
    const attention = tf.tensor2d(mask);
    const { logProbs } = model.logProbs(ids, attention);
    const got = logProbs.arraySync();
    tf.dispose([ids, attention, logProbs]);
    expected.cases.forEach((c, b) => {
      expect(got[b][0]).toBe(0);
      expect(maxAbsDiff(got[b].slice(1, c.ids.length), c.nextTokenLogProbs)).toBeLessThan(1e-4);
      expect(got[b].slice(c.ids.length).every((x) => x === 0)).toBe(true);
    });
  });

  it('greedy decoding with the KV cache reproduces the 8-token continuations (batched)', async () => {
    const policy = new Policy(model, new DecimalTokenizer(model.config.vocabSize));
    const session = policy.startSession();
    const rows = expected.cases.map((c) => session.add(c.ids));
    const results = await session.generate(rows, { maxNewTokens: 8, temperature: 0, stopTokenIds: [] }, new Rng(0));
    session.dispose();
    expect(results.map((r) => r.tokenIds)).toEqual(expected.cases.map((c) => c.greedy8));
    expect(results.every((r) => r.finishReason === 'length')).toBe(true);
  });
});
