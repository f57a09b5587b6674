import type { DecodeOptions, PolicySession, Segment, Tokenizer } from '@tirl/core';
import type { GenerateBatcher } from './batcher';
import { drawName, type Agent } from './agent';

/**
 * Fold generations in a trajectory's own context (`MemoryContext.generateInContext`). The first call
 * forks the agent's row; each call appends its instruction as a user turn and generates after it, and
 * calls run one after another in call order, so the row holds exactly the piece's tokens followed by the
 * returned segments of every call. Those segments, appended to the piece, are trained in the context
 * they were sampled in (token-in, token-out: the sampled ids are returned untouched).
 */
export class InContextGenerator {
  private row: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly session: PolicySession,
    private readonly batcher: GenerateBatcher,
    private readonly tokenizer: Tokenizer,
    private readonly maxContext: number,
    private readonly agent: Agent,
    private readonly decode: Omit<DecodeOptions, 'maxNewTokens'>,
  ) {}

  generate(instruction: string, options: DecodeOptions): Promise<{ text: string; segments: Segment[] }> {
    const next = this.queue.then(() => this.step(instruction, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Frees the forked row once the fold is decided. */
  async release(): Promise<void> {
    await this.queue;
    if (this.row !== undefined) this.session.release(this.row);
    this.row = undefined;
  }

  private async step(instruction: string, options: DecodeOptions): Promise<{ text: string; segments: Segment[] }> {
    const a = this.agent;
    this.row ??= this.session.fork(a.row);
    const prompt = this.tokenizer.renderChat([{ role: 'user', content: instruction }], { addGenerationPrompt: true });
    const ids = this.tokenizer.encode(prompt, { addSpecialTokens: false });
    // The instruction and at least one generated token must fit in the context the piece trains in.
    if (this.session.length(this.row) + ids.length >= this.maxContext) return { text: '', segments: [] };
    this.session.append(this.row, ids);
    const instructionSegment: Segment = { source: 'injected', role: a.role, tokenIds: ids, text: prompt, turn: a.turn - 1 };
    const maxNewTokens = Math.min(options.maxNewTokens, this.maxContext - this.session.length(this.row));
    const res = await this.batcher.generate(this.row, { ...this.decode, ...options, maxNewTokens }, drawName(a, 'fold'));
    const text = this.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true });
    const policySegment: Segment = { source: 'policy', role: a.role, tokenIds: [...res.tokenIds], logProbs: [...res.logProbs], text, turn: a.turn - 1 };
    return { text, segments: [instructionSegment, policySegment] };
  }
}
