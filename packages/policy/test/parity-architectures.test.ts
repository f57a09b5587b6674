import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CausalLM, loadAdapter, loadPretrained, Policy } from '../src';
import { DecimalTokenizer, maxAbsDiff } from './helpers';

/**
 * Parity with an independent float64 PyTorch forward pass (scripts/make-arch-fixtures.py, written from
 * the Hugging Face modelling code) on tiny random checkpoints with the real config.json fields.
 */
interface Case {
  ids: number[];
  logits: number[][];
  nextTokenLogProbs: number[];
  greedy8: number[];
}
const FIXTURES = join(__dirname, 'fixtures');
const expectedOf = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as { cases: Case[] };

function logitsOf(model: CausalLM, ids: number[]): number[][] {
  const t = tf.tensor2d([ids], [1, ids.length], 'int32');
  const out = model.logits(t);
  const arr = out.arraySync()[0];
  tf.dispose([t, out]);
  return arr;
}

const MODELS = [
  ['tiny-llama3', 'Llama 3.x: llama3 rope scaling, GQA, tied head, BF16 in two shards'],
  ['tiny-qwen3', 'Qwen3: q/k RMSNorm, explicit head_dim (q width 64, hidden 32), F16'],
  ['tiny-smollm2', 'SmolLM2 (Llama): 3 query heads per KV head, tied head, F32'],
  ['tiny-qwen2', 'Qwen2.5: q/k/v biases, untied head, F32'],
] as const;

describe.each(MODELS)('%s parity with the PyTorch reference (%s)', (name) => {
  const expected = expectedOf(name);
  let model: CausalLM;
  beforeAll(async () => {
    ({ model } = await loadPretrained(join(FIXTURES, name)));
  });
  afterAll(() => model.dispose());

  it('logits within 1e-4 on every case', () => {
    const diffs = expected.cases.map((c) => maxAbsDiff(logitsOf(model, c.ids), c.logits));
    expect(Math.max(...diffs)).toBeLessThan(1e-4);
  });

  it('batched, left-padded next-token log-probs within 1e-4', () => {
    const T = Math.max(...expected.cases.map((c) => c.ids.length));
    const rows = expected.cases.map((c) => [...new Array(T - c.ids.length).fill(0), ...c.ids]);
    const mask = expected.cases.map((c) => rows[0].map((_, t) => (t >= T - c.ids.length ? 1 : 0)));
    const ids = tf.tensor2d(rows, undefined, 'int32');
    const attention = tf.tensor2d(mask);
    const { logProbs } = model.logProbs(ids, attention);
    const got = logProbs.arraySync();
    tf.dispose([ids, attention, logProbs]);
    expected.cases.forEach((c, b) => expect(maxAbsDiff(got[b].slice(T - c.ids.length + 1), c.nextTokenLogProbs)).toBeLessThan(1e-4));
  });

  it('greedy KV-cache decoding reproduces the reference continuations', async () => {
    const session = new Policy(model, new DecimalTokenizer(model.config.vocabSize)).startSession();
    const rows = expected.cases.map((c) => session.add(c.ids));
    const results = await session.generate(rows, { maxNewTokens: 8, temperature: 0, stopTokenIds: [] }, new Rng(0));
    session.dispose();
    expect(results.map((r) => r.tokenIds)).toEqual(expected.cases.map((c) => c.greedy8));
  });
});

describe('the parity checks are sensitive to what they check', () => {
  it('llama3 rope scaling changes the logits far beyond the tolerance', async () => {
    const { model } = await loadPretrained(join(FIXTURES, 'tiny-llama3'));
    const plain = new CausalLM({ ...model.config, ropeScaling: undefined }, model.namedWeights());
    const c = expectedOf('tiny-llama3').cases[1];
    expect(maxAbsDiff(logitsOf(plain, c.ids), c.logits)).toBeGreaterThan(1e-2);
    model.dispose();
    plain.dispose();
  });

  it('qwen3 q/k norms matter: unit norm weights give other logits', async () => {
    const { model } = await loadPretrained(join(FIXTURES, 'tiny-qwen3'));
    for (const [n, v] of model.namedWeights()) if (/[qk]_norm/.test(n)) v.assign(tf.onesLike(v));
    const c = expectedOf('tiny-qwen3').cases[1];
    expect(maxAbsDiff(logitsOf(model, c.ids), c.logits)).toBeGreaterThan(1e-2);
    model.dispose();
  });
});

describe('a PEFT-layout LoRA adapter written by the reference script', () => {
  it('loads onto tiny-llama3 and matches the reference adapted logits within 1e-4', async () => {
    const { model } = await loadPretrained(join(FIXTURES, 'tiny-llama3'));
    const adapter = loadAdapter(join(FIXTURES, 'tiny-llama3-lora'), model);
    expect(adapter.scaling).toBe(2); // lora_alpha 8 / r 4
    expect(adapter.pairs.size).toBe(2 * 7);
    const expected = expectedOf('tiny-llama3-lora');
    const diffs = expected.cases.map((c) => maxAbsDiff(logitsOf(model, c.ids), c.logits));
    expect(Math.max(...diffs)).toBeLessThan(1e-4);
    // adapters off = the base model's reference logits
    const base = expectedOf('tiny-llama3').cases[0];
    expect(maxAbsDiff(model.withAdaptersDisabled(() => logitsOf(model, base.ids)), base.logits)).toBeLessThan(1e-4);
    model.dispose();
  });
});
