import { appendAll } from '../data/append';
import type { Trajectory } from '../data/trajectory';
import type {
  DecodeOptions,
  DecodeResult,
  PolicyGenerator,
  PolicySession,
  Tokenizer,
} from '../kinds/policy';
import { rowRng } from '../kinds/policy';
import type { Rng } from '../random/rng';
import { ByteTokenizer } from '../tokenizer/byte';

/** What a scripted row emits in one `generate` call. */
export interface ScriptReply {
  /** Text to emit (tokenised with the byte tokenizer); ignored when `tokens` is given. */
  text?: string;
  /** Exact token ids to emit. */
  tokens?: number[];
  /** Behaviour log-prob per emitted token (default: the policy's `logProb` setting). */
  logProbs?: number[];
  /** Entropy per emitted token (default: the policy's `entropy` setting). */
  entropies?: number[];
  /** Emit EOS after the reply when no stop string cut it first (default true). */
  eos?: boolean;
}

/** What the script sees for one row in one `generate` call. */
export interface ScriptCall {
  /** Session row id. */
  row: number;
  /** Index of this row-generation among all the policy has served (0-based). */
  callIndex: number;
  /** The row's tokens so far and their decoded text. */
  tokens: readonly number[];
  text: string;
  /** How many times this row (and the rows it was forked from) generated before. */
  rowTurn: number;
  options: DecodeOptions;
}

export type Script = (call: ScriptCall) => string | ScriptReply;

export interface ScriptedPolicyOptions {
  script: Script;
  /** Tokenizer the script's text is encoded with (default: the byte tokenizer above), e.g. the model's own for demonstration traces. */
  tokenizer?: Tokenizer;
  maxContext?: number;
  /** Behaviour log-prob of each token: a constant, or `'seeded'` for values drawn from the generate rng. */
  logProb?: number | 'seeded';
  /** Entropy reported per token when `returnEntropy` is asked for (default 1). */
  entropy?: number;
}

/** One row's output in one generate call, as emitted (for token-in/token-out checks). */
export interface Emission {
  row: number;
  callIndex: number;
  /** The row's tokens before this generation. */
  context: number[];
  tokenIds: number[];
  logProbs: number[];
}

/**
 * A `PolicyGenerator` without a model: per row and generate call, a script says what the row emits.
 * It behaves like a real sampler at the edges: it stops right after a stop string or a stop token,
 * respects `maxNewTokens`, and keeps every row's tokens so `fork`/`append`/`length` are exact.
 */
export class ScriptedPolicy implements PolicyGenerator {
  readonly tokenizer: Tokenizer;
  readonly maxContext: number;
  /** Everything generated, in order. */
  readonly emissions: Emission[] = [];
  generateCalls = 0;
  private calls = 0;

  constructor(private readonly options: ScriptedPolicyOptions) {
    this.maxContext = options.maxContext ?? 4096;
    this.tokenizer = options.tokenizer ?? new ByteTokenizer();
  }

  startSession(): PolicySession {
    return new ScriptedSession(this);
  }

  /** @internal */
  emit(row: number, tokens: readonly number[], rowTurn: number, options: DecodeOptions, rng: Rng): DecodeResult {
    const callIndex = this.calls++;
    const tk = this.tokenizer;
    const raw = this.options.script({ row, callIndex, tokens, text: tk.decode(tokens), rowTurn, options });
    const reply: ScriptReply = typeof raw === 'string' ? { text: raw } : raw;
    const planned = reply.tokens ?? tk.encode(reply.text ?? '', { addSpecialTokens: false });
    const stream = reply.eos === false ? planned : [...planned, tk.eosTokenId];
    const stops = (options.stopStrings ?? []).filter((s) => s.length > 0).map((s) => tk.encode(s, { addSpecialTokens: false }));
    const stopIds = new Set([...(options.stopTokenIds ?? []), tk.eosTokenId]);
    const out: number[] = [];
    let finishReason: DecodeResult['finishReason'] = 'length';
    let stopString: string | undefined;
    for (const id of stream) {
      if (out.length >= options.maxNewTokens) break;
      out.push(id);
      if (stopIds.has(id)) {
        finishReason = 'stop_token';
        break;
      }
      const hit = stops.find((s) => endsWith(out, s));
      if (hit) {
        finishReason = 'stop_string';
        stopString = tk.decode(hit);
        break;
      }
    }
    const logProbs = out.map((_, i) => reply.logProbs?.[i] ?? this.logProbFor(rng));
    const result: DecodeResult = { tokenIds: out, logProbs, finishReason };
    if (stopString !== undefined) result.stopString = stopString;
    if (options.returnEntropy) result.entropies = out.map((_, i) => reply.entropies?.[i] ?? this.options.entropy ?? 1);
    this.emissions.push({ row, callIndex, context: [...tokens], tokenIds: [...out], logProbs: [...logProbs] });
    return result;
  }

  private logProbFor(rng: Rng): number {
    const lp = this.options.logProb ?? -0.5;
    return lp === 'seeded' ? -0.01 - 3 * rng.next() : lp;
  }
}

function endsWith(ids: readonly number[], suffix: readonly number[]): boolean {
  if (suffix.length > ids.length) return false;
  const off = ids.length - suffix.length;
  return suffix.every((id, i) => ids[off + i] === id);
}

interface ScriptedRow {
  tokens: number[];
  turns: number;
}

class ScriptedSession implements PolicySession {
  private rows = new Map<number, ScriptedRow>();
  private next = 0;

  constructor(private readonly policy: ScriptedPolicy) {}

  add(promptIds: readonly number[]): number {
    this.rows.set(this.next, { tokens: [...promptIds], turns: 0 });
    return this.next++;
  }

  append(row: number, ids: readonly number[]): void {
    appendAll(this.row(row).tokens, ids);
  }

  async generate(rows: readonly number[], options: DecodeOptions, rng: Rng | readonly Rng[]): Promise<DecodeResult[]> {
    this.policy.generateCalls++;
    if (new Set(rows).size !== rows.length) throw new Error(`ScriptedSession.generate: duplicate rows in [${rows.join(', ')}]`);
    return rows.map((r, i) => {
      const row = this.row(r);
      if (row.tokens.length >= this.policy.maxContext) {
        throw new Error(`ScriptedSession.generate: row ${r} has ${row.tokens.length} tokens, at maxContext ${this.policy.maxContext}`);
      }
      const budget = { ...options, maxNewTokens: Math.min(options.maxNewTokens, this.policy.maxContext - row.tokens.length) };
      const result = this.policy.emit(r, row.tokens, row.turns, budget, rowRng(rng, i, rows.length));
      appendAll(row.tokens, result.tokenIds);
      row.turns++;
      return result;
    });
  }

  fork(row: number): number {
    const src = this.row(row);
    this.rows.set(this.next, { tokens: [...src.tokens], turns: src.turns });
    return this.next++;
  }

  length(row: number): number {
    return this.row(row).tokens.length;
  }

  /** The tokens of a live row (test helper). */
  tokens(row: number): number[] {
    return [...this.row(row).tokens];
  }

  release(row: number): void {
    this.rows.delete(row);
  }

  dispose(): void {
    this.rows.clear();
  }

  /** Rows not yet released (for leak checks in tests). */
  get liveRows(): number {
    return this.rows.size;
  }

  private row(r: number): ScriptedRow {
    const row = this.rows.get(r);
    if (!row) throw new Error(`ScriptedSession: row ${r} does not exist (released or never added)`);
    return row;
  }
}

/** A script that hands out the replies in order, one per row-generation; fails when it runs dry. */
export function queueScript(replies: readonly (string | ScriptReply)[]): Script {
  let i = 0;
  return () => {
    if (i >= replies.length) throw new Error(`queueScript: script exhausted after ${replies.length} replies`);
    return replies[i++];
  };
}

/**
 * Replays saved trajectories (e.g. from `trajectoriesFromJsonl`): a row whose tokens are a prefix of a
 * saved trajectory that continues with a policy segment emits that segment's exact tokens and log-probs.
 * The k-th row asking from the same context gets the k-th matching trajectory (cycling).
 */
export function replayScript(trajectories: readonly Trajectory[]): Script {
  const seen = new Map<string, number>();
  return ({ tokens }) => {
    const matches: { tokenIds: number[]; logProbs?: number[] }[] = [];
    for (const t of trajectories) {
      let offset = 0;
      for (const seg of t.segments) {
        if (offset === tokens.length && seg.source === 'policy') {
          if (prefixEqual(t, tokens)) matches.push(seg);
          break;
        }
        offset += seg.tokenIds.length;
        if (offset > tokens.length) break;
      }
    }
    if (matches.length === 0) throw new Error(`replayScript: no saved trajectory continues a context of ${tokens.length} tokens`);
    const key = tokens.join(',');
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    const seg = matches[k % matches.length];
    return { tokens: seg.tokenIds, logProbs: seg.logProbs, eos: false };
  };
}

function prefixEqual(t: Trajectory, tokens: readonly number[]): boolean {
  let i = 0;
  for (const seg of t.segments) {
    for (const id of seg.tokenIds) {
      if (i >= tokens.length) return true;
      if (tokens[i++] !== id) return false;
    }
  }
  return i >= tokens.length;
}
