import type { DecodeOptions, DecodeResult, PolicyGenerator, PolicySession, Tokenizer } from '@tirl/core';

/**
 * A policy that "generates" given texts: the k-th row to generate answers with completion k (rows that are
 * only forked from never consume one),
 * re-tokenised by this node's tokenizer and ended with its end-of-sequence token. Rollout strategies then
 * build the trajectory exactly as for their own generations (prompt rendering, chat template, limits).
 * Log-probs are not known here (they are recomputed before the update: `oldLogProbs: recompute`).
 */
export function replayPolicy(tokenizer: Tokenizer, maxContext: number, completions: readonly string[]): PolicyGenerator {
  return {
    tokenizer,
    maxContext,
    startSession: () => new ReplaySession(tokenizer, completions),
  };
}

class ReplaySession implements PolicySession {
  private readonly rows = new Map<number, { length: number; replayed: boolean }>();
  private used = 0;
  private nextRow = 0;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly completions: readonly string[],
  ) {}

  add(promptIds: readonly number[]): number {
    const row = this.nextRow++;
    this.rows.set(row, { length: promptIds.length, replayed: false });
    return row;
  }

  append(row: number, ids: readonly number[]): void {
    this.get(row).length += ids.length;
  }

  async generate(rows: readonly number[], options: DecodeOptions): Promise<DecodeResult[]> {
    return rows.map((row) => {
      const state = this.get(row);
      // A shared completion is one turn: a second generate on the same row ends at once.
      const text = state.replayed ? '' : (this.completions[this.used++] ?? '');
      state.replayed = true;
      const ids = [...this.tokenizer.encode(text, { addSpecialTokens: false }), this.tokenizer.eosTokenId];
      const cut = ids.length > options.maxNewTokens;
      const tokenIds = cut ? ids.slice(0, options.maxNewTokens) : ids;
      state.length += tokenIds.length;
      return { tokenIds, logProbs: tokenIds.map(() => 0), finishReason: cut ? 'length' : 'stop_token' };
    });
  }

  fork(row: number): number {
    const copy = this.nextRow++;
    this.rows.set(copy, { ...this.get(row) });
    return copy;
  }

  length(row: number): number {
    return this.get(row).length;
  }

  release(row: number): void {
    this.rows.delete(row);
  }

  dispose(): void {
    this.rows.clear();
  }

  private get(row: number) {
    const state = this.rows.get(row);
    if (!state) throw new Error(`replay session: row ${row} does not exist`);
    return state;
  }
}
