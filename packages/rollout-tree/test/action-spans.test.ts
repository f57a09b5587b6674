import type { Tokenizer } from '@tirl/core';
import { linearRollout } from '../src';
import { tokenSpan } from '../src/engine/action-spans';
import { call, engineDefaults, makeInput } from './helpers';

/** Two-character tokens: id k decodes to characters 2k and 2k+1 of `text`. */
function pairTokenizer(text: string): Tokenizer {
  return {
    vocabSize: 1000,
    eosTokenId: 999,
    padTokenId: 998,
    encode: () => [],
    decode: (ids) => ids.map((k) => text.slice(2 * k, 2 * k + 2)).join(''),
    renderChat: () => '',
  };
}

describe('tokenSpan', () => {
  it('maps a character range to the tokens that hold its first and last characters', () => {
    // "abcdefgh" as tokens ab|cd|ef|gh. Characters [3, 6) = "def": 'd' is in token 1, 'f' in token 2 -> tokens [1, 3).
    const tk = pairTokenizer('abcdefgh');
    expect(tokenSpan(tk, [0, 1, 2, 3], 3, 6)).toEqual([1, 3]);
    // Characters [2, 4) = "cd" are exactly token 1 -> [1, 2).
    expect(tokenSpan(tk, [0, 1, 2, 3], 2, 4)).toEqual([1, 2]);
  });
});

describe('the engine records action spans', () => {
  it('marks the tokens of each tool call of a turn over the full row', async () => {
    const turn = `I will look. ${call('search', { query: 'a' })}`;
    const { input } = makeInput((c) => (c.rowTurn === 0 ? turn : 'done'));
    const { trees } = await linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never).rollout(input);
    const [t] = trees[0].trajectories;
    const ids = t.segments.flatMap((s) => s.tokenIds);
    // The byte tokenizer has one token per ASCII character (and one per chat marker, which the call does
    // not contain), so the call's tokens are its bytes, found in the row's ids.
    const raw = [...Buffer.from(call('search', { query: 'a' }), 'utf8')];
    const start = ids.findIndex((_, i) => raw.every((b, j) => ids[i + j] === b));
    expect(start).toBeGreaterThan(0);
    expect(t.meta?.actionSpans).toEqual([[start, start + raw.length]]);
  });
});
