import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import { expectNoLeaks } from '@tirl/core/testing';
import { ByteTokenizer, createTinyModel, Policy, type CausalLM } from '../src';

const tokenizer = new ByteTokenizer();
const CONFIG = {
  vocabSize: tokenizer.vocabSize,
  hiddenSize: 32,
  intermediateSize: 64,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 2,
};

/** Full-recomputation log-probs of `ids` (one row), via model.logProbs. */
function recomputed(model: CausalLM, ids: number[]): number[] {
  const t = tf.tensor2d([ids], undefined, 'int32');
  const m = tf.ones([1, ids.length]) as tf.Tensor2D;
  const { logProbs } = model.logProbs(t, m);
  const out = logProbs.arraySync()[0];
  tf.dispose([t, m, logProbs]);
  return out;
}

function greedyByRecomputation(model: CausalLM, ids: number[], n: number): number[] {
  const seq = [...ids];
  for (let i = 0; i < n; i++) {
    const t = tf.tensor2d([seq], undefined, 'int32');
    const logits = model.logits(t);
    const last = tf.slice(logits, [0, seq.length - 1, 0], [1, 1, -1]);
    seq.push(tf.argMax(tf.reshape(last, [-1])).dataSync()[0]);
    tf.dispose([t, logits, last]);
  }
  return seq.slice(ids.length);
}

describe('Policy sessions with a KV cache', () => {
  // std 0.3 gives peaked distributions, so sampled sequences are not uniform noise.
  const model = createTinyModel(CONFIG, 5, { std: 0.3 });
  const policy = new Policy(model, tokenizer, { maxContext: 96 });
  afterAll(() => model.dispose());
  const prompts = [tokenizer.encode('hello', { addSpecialTokens: true }), tokenizer.encode('a'), tokenizer.encode('tool-integrated RL')];

  it('sampled tokens and behaviour log-probs equal a full recomputation (rows of different lengths)', async () => {
    const session = policy.startSession();
    const rows = prompts.map((p) => session.add(p));
    const results = await session.generate(rows, { maxNewTokens: 12, temperature: 1, stopTokenIds: [] }, new Rng(3));
    results.forEach((r, i) => {
      const full = [...prompts[i], ...r.tokenIds];
      expect(session.length(rows[i])).toBe(full.length);
      const ref = recomputed(model, full).slice(prompts[i].length);
      r.logProbs.forEach((lp, t) => expect(Math.abs(lp - ref[t])).toBeLessThan(1e-5));
    });
    session.dispose();
  });

  it('greedy decoding with the cache equals greedy decoding by recomputation', async () => {
    const session = policy.startSession();
    const rows = prompts.map((p) => session.add(p));
    const results = await session.generate(rows, { maxNewTokens: 10, temperature: 0, stopTokenIds: [] }, new Rng(0));
    session.dispose();
    results.forEach((r, i) => expect(r.tokenIds).toEqual(greedyByRecomputation(model, prompts[i], 10)));
  });

  it('multi-turn: generate, append tool tokens, generate again == one recomputation of the whole row', async () => {
    const session = policy.startSession();
    const row = session.add(prompts[0]);
    const first = await session.generate([row], { maxNewTokens: 6, stopTokenIds: [] }, new Rng(1));
    const tool = tokenizer.encode('<|tool|>42<|eos|><|assistant|>');
    session.append(row, tool);
    const second = await session.generate([row], { maxNewTokens: 6, stopTokenIds: [], topP: 0.9, topK: 20 }, new Rng(2));
    const full = [...prompts[0], ...first[0].tokenIds, ...tool, ...second[0].tokenIds];
    expect(session.length(row)).toBe(full.length);
    const ref = recomputed(model, full);
    const start1 = prompts[0].length;
    const start2 = start1 + 6 + tool.length;
    first[0].logProbs.forEach((lp, t) => expect(Math.abs(lp - ref[start1 + t])).toBeLessThan(1e-5));
    second[0].logProbs.forEach((lp, t) => expect(Math.abs(lp - ref[start2 + t])).toBeLessThan(1e-5));
    session.dispose();
  });

  it('fork copies a row: both branches continue the shared prefix consistently', async () => {
    const session = policy.startSession();
    const root = session.add(prompts[2]);
    const [trunk] = await session.generate([root], { maxNewTokens: 4, stopTokenIds: [] }, new Rng(4));
    const branch = session.fork(root);
    const [a, b] = await session.generate([root, branch], { maxNewTokens: 5, stopTokenIds: [] }, new Rng(5));
    for (const r of [a, b]) {
      const full = [...prompts[2], ...trunk.tokenIds, ...r.tokenIds];
      const ref = recomputed(model, full).slice(full.length - 5);
      r.logProbs.forEach((lp, t) => expect(Math.abs(lp - ref[t])).toBeLessThan(1e-5));
    }
    expect(a.tokenIds).not.toEqual(b.tokenIds); // same rng stream, different draws per row
    session.dispose();
  });

  it('the same seed gives the same samples', async () => {
    const run = async () => {
      const s = policy.startSession();
      const r = await s.generate([s.add(prompts[0]), s.add(prompts[1])], { maxNewTokens: 8, stopTokenIds: [] }, new Rng(9));
      s.dispose();
      return r.map((x) => x.tokenIds);
    };
    expect(await run()).toEqual(await run());
  });

  it('stops at stop tokens and stop strings, with entropies when asked', async () => {
    const session = policy.startSession();
    const row = session.add(prompts[0]);
    const [free] = await session.generate([row], { maxNewTokens: 8, temperature: 0, stopTokenIds: [] }, new Rng(0));
    session.release(row);
    // Stop on the third greedy token: generation must end right there with that reason.
    const r1 = session.add(prompts[0]);
    const [byToken] = await session.generate([r1], { maxNewTokens: 8, temperature: 0, stopTokenIds: [free.tokenIds[2]] }, new Rng(0));
    expect(byToken.tokenIds).toEqual(free.tokenIds.slice(0, free.tokenIds.indexOf(free.tokenIds[2]) + 1));
    expect(byToken.finishReason).toBe('stop_token');
    const text = tokenizer.decode(free.tokenIds.slice(0, 4));
    const stop = text.slice(-2);
    const r2 = session.add(prompts[0]);
    const [byString] = await session.generate([r2], { maxNewTokens: 8, temperature: 0, stopTokenIds: [], stopStrings: [stop], returnEntropy: true }, new Rng(0));
    expect(byString.finishReason).toBe('stop_string');
    expect(byString.stopString).toBe(stop);
    expect(tokenizer.decode(byString.tokenIds).endsWith(stop)).toBe(true);
    expect(byString.entropies).toHaveLength(byString.tokenIds.length);
    expect(byString.entropies!.every((e) => e > 0 && e <= Math.log(tokenizer.vocabSize) + 1e-9)).toBe(true);
    session.dispose();
  });

  it('stops at maxContext with finish reason "length"', async () => {
    const small = new Policy(model, tokenizer, { maxContext: prompts[2].length + 3 });
    const session = small.startSession();
    const [r] = await session.generate([session.add(prompts[2])], { maxNewTokens: 10, stopTokenIds: [] }, new Rng(0));
    expect(r.tokenIds).toHaveLength(3);
    expect(r.finishReason).toBe('length');
    session.dispose();
  });

  it('leaks no tensors across a long multi-turn loop with forks and releases', async () => {
    await expectNoLeaks(async () => {
      const session = policy.startSession();
      const rng = new Rng(7);
      const rows = prompts.map((p) => session.add(p));
      for (let turn = 0; turn < 4; turn++) {
        await session.generate(rows, { maxNewTokens: 5, stopTokenIds: [tokenizer.eosTokenId] }, rng);
        rows.forEach((r) => session.append(r, tokenizer.encode('<|tool|>ok<|eos|>')));
      }
      const extra = session.fork(rows[0]);
      await session.generate([extra], { maxNewTokens: 3 }, rng);
      session.release(extra);
      session.dispose();
    }, 'generation loop');
  });

  it('rejects unknown rows and out-of-vocabulary ids with a clear message', () => {
    const session = policy.startSession();
    expect(() => session.append(99, [1])).toThrow(/unknown row 99/);
    expect(() => session.add([tokenizer.vocabSize])).toThrow(/outside the vocabulary/);
    session.dispose();
  });
});
