import type { DecodeOptions, FinishReason, Segment } from '@tirl/core';
import { TirlError } from '@tirl/core';
import type { Agent } from './agent';
import { finishAgent, type EngineContext } from './context';
import { appendTokens } from './observation';

/** Generates one turn and records it as a policy segment with the sampled ids and log-probs. */
export async function generateTurn(ctx: EngineContext, a: Agent, maxNew: number) {
  const options: DecodeOptions = {
    ...ctx.input.decode,
    maxNewTokens: maxNew,
    stopStrings: ctx.stopStrings,
    stopTokenIds: ctx.stopTokenIds,
    returnEntropy: ctx.input.decode.returnEntropy || ctx.needEntropy,
  };
  const res = await ctx.batcher.generate(a.row, options, `${a.id}#turn${a.turn}`);
  if (res.logProbs.length !== res.tokenIds.length) {
    throw new TirlError(`rollout: the policy returned ${res.tokenIds.length} tokens with ${res.logProbs.length} log-probs`, 'invalid-data');
  }
  const seg: Segment = {
    source: 'policy',
    role: a.role,
    tokenIds: [...res.tokenIds],
    logProbs: [...res.logProbs],
    text: ctx.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true }),
    turn: a.turn,
  };
  if (res.entropies) {
    seg.entropies = [...res.entropies];
    const head = res.entropies.slice(0, ctx.opts.entropyTokens);
    const h = head.length ? head.reduce((s, x) => s + x, 0) / head.length / Math.log(ctx.tokenizer.vocabSize) : 0;
    a.lastEntropy = h;
    a.firstEntropy ??= h;
  }
  a.segments.push(seg);
  a.turn++;
  a.responseTokens += res.tokenIds.length;
  ctx.stats.turns++;
  return res;
}

/**
 * The rollout ends with `reason`, after a forced final turn when it has a `finalPrompt` (out of turns, cut
 * by a length, context or token limit, or any normal finish with `alwaysFinal`); a cut uses `failedPrompt`
 * when there is one. The final turn's text replaces the answer; when the prompt does not fit, the rollout
 * ends as it was.
 */
export async function finalTurn(ctx: EngineContext, a: Agent, reason: FinishReason): Promise<void> {
  if (!a.finalPrompt) return finishAgent(ctx, a, reason);
  const prompt = reason !== 'stop' && a.failedPrompt ? a.failedPrompt : a.finalPrompt;
  a.finalPrompt = undefined;
  const text = ctx.tokenizer.renderChat([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
  if (!appendTokens(ctx, a, 'injected', text)) return finishAgent(ctx, a, reason);
  const { decode, limits, policy } = ctx.input;
  const left = Math.min(decode.maxNewTokens, limits.maxTotalTokens - a.responseTokens, policy.maxContext - ctx.session.length(a.row));
  if (left <= 0) return finishAgent(ctx, a, reason);
  const res = await generateTurn(ctx, a, left);
  const out = ctx.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true });
  a.answer = ctx.input.toolFormat.parse(out).answer ?? out.trim();
  a.summarised = true;
  finishAgent(ctx, a, reason);
}
