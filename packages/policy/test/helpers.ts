import type { ChatMessage, Tokenizer } from '@tirl/core';
import { join } from 'node:path';

export const TINY_LLAMA = join(__dirname, 'fixtures', 'tiny-llama');

/** A tokenizer for models without one: ids written as space-separated decimals. */
export class DecimalTokenizer implements Tokenizer {
  constructor(
    readonly vocabSize: number,
    readonly eosTokenId = 2,
    readonly padTokenId = 0,
  ) {}
  encode(text: string): number[] {
    return text.trim() ? text.trim().split(/\s+/).map(Number) : [];
  }
  decode(ids: readonly number[]): string {
    return ids.map((i) => `${i} `).join('');
  }
  renderChat(messages: readonly ChatMessage[]): string {
    return messages.map((m) => m.content).join(' ');
  }
}

/** Max |a - b| over two nested number arrays of the same shape. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  const fa = (a as unknown[]).flat(Infinity) as number[];
  const fb = (b as unknown[]).flat(Infinity) as number[];
  if (fa.length !== fb.length) throw new Error(`maxAbsDiff: ${fa.length} vs ${fb.length} values`);
  return fa.reduce((m, x, i) => Math.max(m, Math.abs(x - fb[i])), 0);
}
