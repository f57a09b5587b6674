import { Tokens, chatCompletion, chatCompletionsUrl, policyReply, type PluginContext, type PolicyGenerator } from '@tirl/core';
import { z } from 'zod';
import { endpointClientFields } from '../judge/endpoint-judge';

/** One completion from a judge model: the prompt in, the reply text out. */
export type JudgeChat = (prompt: string, options?: { maxTokens?: number; stop?: string[] }) => Promise<string>;

/**
 * Where a judge model runs: `endpoint` (an OpenAI-compatible `POST {baseUrl}/v1/chat/completions`),
 * `policy` (a tirl policy the host registered under `Tokens.policy`) or `training-policy` (the policy being
 * trained judging itself, frozen for nothing: only for tests and self-rewarding set-ups).
 */
export const judgeSourceShape = z
  .discriminatedUnion('source', [
    z
      .object({
        source: z.literal('endpoint'),
        /** e.g. `http://127.0.0.1:8000`. */
        baseUrl: z.url(),
        model: z.string().min(1),
        ...endpointClientFields,
        temperature: z.number().min(0).max(2).default(0),
        maxTokens: z.number().int().positive().default(256),
      })
      .strict(),
    z
      .object({
        source: z.enum(['policy', 'training-policy']),
        temperature: z.number().min(0).max(2).default(0),
        maxTokens: z.number().int().positive().default(64),
      })
      .strict(),
  ]);

export type JudgeSource = z.output<typeof judgeSourceShape>;

function policyChat(policy: PolicyGenerator, o: Extract<JudgeSource, { source: 'policy' | 'training-policy' }>, ctx: PluginContext): JudgeChat {
  let calls = 0;
  return (prompt, options = {}) =>
    policyReply(policy, prompt, { maxNewTokens: options.maxTokens ?? o.maxTokens, temperature: o.temperature, ...(options.stop ? { stop: options.stop } : {}) }, ctx.rng.fork(`judge-${calls++}`));
}

/** The chat function of a judge source; the policy is resolved on first use (the host may register it late). */
export function createJudgeChat(o: JudgeSource, ctx: PluginContext, origin: string): JudgeChat {
  if (o.source === 'endpoint') {
    const url = chatCompletionsUrl(o.baseUrl);
    const apiKey = o.apiKeyEnv ? process.env[o.apiKeyEnv] : undefined;
    return (prompt, options = {}) =>
      chatCompletion({ ...o, url, prompt, ...(apiKey ? { apiKey } : {}), maxTokens: options.maxTokens ?? o.maxTokens, ...(options.stop ? { stop: options.stop } : {}) });
  }
  let chat: JudgeChat | undefined;
  return (prompt, options) => {
    if (!chat) {
      const token = o.source === 'policy' ? Tokens.policy : Tokens.trainingPolicy;
      if (!ctx.container.isRegistered(token, true)) {
        throw new Error(`${origin}: judge source "${o.source}" needs a policy registered under Tokens.${o.source === 'policy' ? 'policy' : 'trainingPolicy'}`);
      }
      chat = policyChat(ctx.resolve(token), o, ctx);
    }
    return chat(prompt, options);
  };
}
