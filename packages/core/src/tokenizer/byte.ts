import type { ChatMessage, Tokenizer } from '../kinds/policy';

/** Special tokens of {@link ByteTokenizer}, after the 256 byte tokens. */
export const BYTE_SPECIAL_TOKENS = ['<|pad|>', '<|bos|>', '<|eos|>', '<|system|>', '<|user|>', '<|assistant|>', '<|tool|>'] as const;

const SPECIAL_PATTERN = new RegExp(`(${BYTE_SPECIAL_TOKENS.map((t) => t.replace(/[|]/g, '\\|')).join('|')})`);

/**
 * A tokenizer with one token per UTF-8 byte (ids 0–255) and special tokens 256+ (pad, bos, eos, and
 * one marker per chat role). Chat format: `<|role|>content<|eos|>` per message, then `<|assistant|>`
 * as the generation prompt. Special-token strings in the text encode to their ids.
 */
export class ByteTokenizer implements Tokenizer {
  readonly vocabSize = 256 + BYTE_SPECIAL_TOKENS.length;
  readonly padTokenId = this.tokenId('<|pad|>');
  readonly bosTokenId = this.tokenId('<|bos|>');
  readonly eosTokenId = this.tokenId('<|eos|>');

  /** The id of a special token such as `<|user|>`. */
  tokenId(token: (typeof BYTE_SPECIAL_TOKENS)[number]): number {
    return 256 + BYTE_SPECIAL_TOKENS.indexOf(token);
  }

  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    const ids: number[] = options.addSpecialTokens ? [this.bosTokenId] : [];
    for (const part of text.split(SPECIAL_PATTERN)) {
      const special = (BYTE_SPECIAL_TOKENS as readonly string[]).indexOf(part);
      if (special >= 0) ids.push(256 + special);
      else for (const byte of Buffer.from(part, 'utf8')) ids.push(byte);
    }
    return ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    };
    for (const id of ids) {
      if (id < 256) bytes.push(id);
      else {
        flush();
        if (!options.skipSpecialTokens) out += BYTE_SPECIAL_TOKENS[id - 256] ?? '';
      }
    }
    flush();
    return out;
  }

  renderChat(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string {
    const roles = new Set(['system', 'user', 'assistant', 'tool']);
    let text = '';
    for (const m of messages) {
      if (!roles.has(m.role)) throw new Error(`ByteTokenizer.renderChat: unknown role "${m.role}". Allowed: ${[...roles].join(', ')}`);
      text += `<|${m.role}|>${m.content}<|eos|>`;
    }
    return options.addGenerationPrompt ? text + '<|assistant|>' : text;
  }
}
