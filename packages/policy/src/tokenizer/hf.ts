import { Template } from '@huggingface/jinja';
import { Tokenizer as HfTokenizerCore } from '@huggingface/tokenizers';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage, Tokenizer } from '@tirl/core';

type Json = Record<string, unknown>;

/**
 * A Hugging Face `tokenizer.json` tokenizer (via `@huggingface/tokenizers`) with the model's own
 * `chat_template` (via `@huggingface/jinja`).
 */
export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  readonly bosToken?: string;
  readonly eosToken: string;
  private readonly core: HfTokenizerCore;
  private readonly template?: Template;

  constructor(
    private readonly tokenizerJson: Json,
    private readonly tokenizerConfig: Json,
    readonly chatTemplate?: string,
    origin = 'tokenizer.json',
  ) {
    this.core = new HfTokenizerCore(tokenizerJson, tokenizerConfig);
    const vocab = this.core.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.eosToken = tokenContent(tokenizerConfig.eos_token) ?? lastSpecial(tokenizerJson) ?? '';
    this.bosToken = tokenContent(tokenizerConfig.bos_token);
    const eos = this.core.token_to_id(this.eosToken);
    if (eos === undefined) throw new Error(`${origin}: eos token ${JSON.stringify(this.eosToken)} (field "eos_token" of tokenizer_config.json) is not in the vocabulary`);
    this.eosTokenId = eos;
    const pad = tokenContent(tokenizerConfig.pad_token);
    this.padTokenId = (pad !== undefined ? this.core.token_to_id(pad) : undefined) ?? eos;
    if (chatTemplate !== undefined) this.template = new Template(chatTemplate);
  }

  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.core.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.core.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  /** The id of a token string, if in the vocabulary. */
  tokenId(token: string): number | undefined {
    return this.core.token_to_id(token);
  }

  renderChat(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean; tools?: unknown[] } = {}): string {
    if (!this.template) throw new Error('HfTokenizer.renderChat: this tokenizer has no chat_template (tokenizer_config.json field "chat_template")');
    return this.template.render({
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: options.addGenerationPrompt ?? false,
      ...(options.tools ? { tools: options.tools } : {}),
      bos_token: this.bosToken ?? '',
      eos_token: this.eosToken,
    });
  }

  /** Writes `tokenizer.json` and `tokenizer_config.json` (with the chat template) into `dir`. */
  save(dir: string): void {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(this.tokenizerJson));
    const config = { ...this.tokenizerConfig, ...(this.chatTemplate !== undefined ? { chat_template: this.chatTemplate } : {}) };
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
  }
}

function tokenContent(t: unknown): string | undefined {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as Json).content === 'string') return (t as Json).content as string;
  return undefined;
}

function lastSpecial(json: Json): string | undefined {
  const added = (json.added_tokens as { content: string; special?: boolean }[] | undefined) ?? [];
  return added.filter((t) => t.special).at(-1)?.content;
}
