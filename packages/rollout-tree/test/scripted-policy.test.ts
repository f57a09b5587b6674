import { Rng } from '@tirl/core';
import { ByteTokenizer, queueScript, ScriptedPolicy } from '@tirl/core/testing';

describe('ScriptedPolicy', () => {
  const tk = new ByteTokenizer();

  // The byte layout: ids 0–255 are UTF-8 bytes, then the specials in BYTE_SPECIAL_TOKENS order:
  // 256 <|pad|>, 257 <|bos|>, 258 <|eos|>, 259 <|system|>, 260 <|user|>, 261 <|assistant|>, 262 <|tool|>.
  it('byte tokenizer: ids are UTF-8 bytes plus pad 256 / eos 258', () => {
    // é = U+00E9 = 0xC3 0xA9 in UTF-8; ! = 0x21
    expect(tk.encode('é!')).toEqual([0xc3, 0xa9, 0x21]);
    expect([tk.vocabSize, tk.padTokenId, tk.eosTokenId]).toEqual([263, 256, 258]);
    expect(tk.decode([0xc3, 0xa9, 258])).toBe('é<|eos|>');
    expect(tk.decode([0xc3, 0xa9, 258], { skipSpecialTokens: true })).toBe('é');
    // <|role|>content<|eos|> per message, then <|assistant|>: the markers are single special ids
    const chat = tk.renderChat([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true });
    expect(chat).toBe('<|user|>hi<|eos|><|assistant|>');
    expect(tk.encode(chat)).toEqual([260, 0x68, 0x69, 258, 261]);
  });

  it('stops right after a stop string, a stop token or maxNewTokens, and appends EOS after a finished reply', async () => {
    const policy = new ScriptedPolicy({ script: queueScript(['ab</x>cd', 'hello', 'long text']), logProb: -0.25 });
    const s = policy.startSession();
    const rows = [s.add([1]), s.add([2]), s.add([3])];
    const rng = new Rng(0);
    const [a] = await s.generate([rows[0]], { maxNewTokens: 50, stopStrings: ['</x>'] }, rng);
    expect(a).toMatchObject({ tokenIds: tk.encode('ab</x>'), finishReason: 'stop_string', stopString: '</x>' });
    expect(a.logProbs).toEqual(new Array(6).fill(-0.25));
    const [b] = await s.generate([rows[1]], { maxNewTokens: 50 }, rng);
    // 'hello' = 0x68 0x65 0x6C 0x6C 0x6F, then EOS (258)
    expect(b).toMatchObject({ tokenIds: [0x68, 0x65, 0x6c, 0x6c, 0x6f, 258], finishReason: 'stop_token' });
    const [c] = await s.generate([rows[2]], { maxNewTokens: 4 }, rng);
    expect(c).toMatchObject({ tokenIds: tk.encode('long'), finishReason: 'length' });
    expect(s.length(rows[2])).toBe(5);
  });

  it('forks rows with their tokens and draws seeded log-probs from the generate rng', async () => {
    const run = async () => {
      const policy = new ScriptedPolicy({ script: () => 'xy', logProb: 'seeded' });
      const s = policy.startSession();
      const r = s.add([7]);
      s.append(r, [8]);
      const f = s.fork(r);
      const out = await s.generate([r, f], { maxNewTokens: 10 }, new Rng(3));
      return { out, emissions: policy.emissions };
    };
    const one = await run();
    const two = await run();
    expect(one.out.map((o) => o.logProbs)).toEqual(two.out.map((o) => o.logProbs));
    expect(one.out[0].logProbs).not.toEqual(one.out[1].logProbs);
    expect(one.out[0].logProbs.every((x) => x < 0 && x > -3.02)).toBe(true);
    expect(one.emissions.map((e) => e.context)).toEqual([[7, 8], [7, 8]]);
  });
});
