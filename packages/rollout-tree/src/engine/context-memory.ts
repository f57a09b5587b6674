import type { ChatMessage, DecodeOptions, MemoryAction, Segment } from '@tirl/core';
import { policySegmentSpans } from './action-spans';
import { drawName, toTrajectory, type Agent } from './agent';
import { finishAgent, type EngineContext } from './context';
import { InContextGenerator } from './in-context-generator';
import { appendTokens } from './observation';

/** Checks the context before a turn; runs the memory plugin near the budget. False when the agent stopped. */
export async function ensureRoom(ctx: EngineContext, a: Agent): Promise<boolean> {
  const { memory, policy } = ctx.input;
  const len = ctx.session.length(a.row);
  const budget = policy.maxContext;
  if (!memory) {
    if (len >= budget) finishAgent(ctx, a, 'context');
    return !a.done;
  }
  const requested = a.foldRequested === true;
  a.foldRequested = false;
  if (!requested && len < memory.triggerFraction * budget && len < budget) return true;
  const inContext = new InContextGenerator(ctx.session, ctx.batcher, ctx.tokenizer, policy.maxContext, a, foldDecode(ctx));
  let action: MemoryAction;
  try {
    action = await memory.onOverflow({
      trajectory: toTrajectory(a),
      contextTokens: len,
      budget,
      tokenizer: ctx.tokenizer,
      generate: (messages, options) => sideGenerate(ctx, a, messages, options),
      generateInContext: (instruction, options) => inContext.generate(instruction, options),
      trigger: requested ? 'tag' : 'budget',
    });
  } finally {
    await inContext.release();
  }
  if (action.kind === 'stop') {
    finishAgent(ctx, a, 'context');
    return false;
  }
  if (action.kind === 'continue') {
    if (action.observation) appendTokens(ctx, a, 'injected', action.observation);
    if (ctx.session.length(a.row) >= budget) finishAgent(ctx, a, 'context');
    return !a.done;
  }
  fold(ctx, a, action.context, action.foldSegments ?? []);
  if (ctx.session.length(a.row) >= Math.min(budget, memory.triggerFraction * budget)) {
    finishAgent(ctx, a, 'context');
    return false;
  }
  return true;
}

/** The turn wrote the memory plugin's fold tag (a policy-triggered fold). */
export function wantsFold(ctx: EngineContext, text: string): boolean {
  const tag = ctx.input.memory?.foldTag;
  return tag !== undefined && tag !== '' && text.includes(tag);
}

/** Closes the current piece and continues in a new row that starts with `context`. */
function fold(ctx: EngineContext, a: Agent, context: Segment[], foldSegments: Segment[]): void {
  ctx.stats.folds++;
  const piece = toTrajectory(a);
  piece.id = `${a.id}~p${a.folds}`;
  piece.parentId = a.id;
  piece.spawnTurn = a.turn;
  const foldStart = piece.segments.reduce((n, s) => n + s.tokenIds.length, 0);
  piece.segments.push(...foldSegments.map((s) => ({ ...s })));
  piece.finishReason = 'context';
  // The memories the policy writes are fold actions (DeepAgent's M(y) covers memory-fold tokens).
  const actionSpans = [...a.actionSpans, ...policySegmentSpans(foldSegments, foldStart)];
  piece.meta = { ...piece.meta, foldPiece: a.folds, ...(actionSpans.length ? { actionSpans } : {}) };
  a.pieces.push(piece);
  a.folds++;
  ctx.session.release(a.row);
  a.segments = context.map((s) => ({ ...s, tokenIds: [...s.tokenIds] }));
  a.toolCalls = [];
  a.actionSpans = [];
  a.row = ctx.session.add(a.segments.flatMap((s) => s.tokenIds));
}

/** Sampling settings of fold generations: the rollout's, ended by end of sequence only. */
function foldDecode(ctx: EngineContext): Omit<DecodeOptions, 'maxNewTokens'> {
  const { temperature, topP, topK } = ctx.input.decode;
  return { temperature, topP, topK, stopTokenIds: ctx.stopTokenIds };
}

/** Generates outside the agent's row, from fresh messages (text for a new context, not trained tokens). */
async function sideGenerate(ctx: EngineContext, a: Agent, messages: ChatMessage[], options: DecodeOptions) {
  const tk = ctx.tokenizer;
  const ids = tk.encode(tk.renderChat(messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
  const row = ctx.session.add(ids);
  try {
    const res = await ctx.batcher.generate(row, options, drawName(a, 'side'));
    const text = tk.decode(res.tokenIds, { skipSpecialTokens: true });
    const segment: Segment = { source: 'policy', role: a.role, tokenIds: [...res.tokenIds], logProbs: [...res.logProbs], text, turn: a.turn };
    return { text, segment };
  } finally {
    ctx.session.release(row);
  }
}

