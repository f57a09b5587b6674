import type { PolicyGenerator } from '../kinds/policy';
import type { Rng } from '../random/rng';

export interface PolicyReplyOptions {
  maxNewTokens: number;
  /** 0 = greedy (the default of a grader). */
  temperature: number;
  /** Strings that end the reply (besides end of sequence). */
  stop?: string[];
}

/**
 * A tirl policy's reply to one user message: rendered with the policy's chat template, generated in a fresh
 * session up to end of sequence and decoded. Nothing of it is trained (a judge, a flaw checker).
 */
export async function policyReply(policy: PolicyGenerator, prompt: string, options: PolicyReplyOptions, rng: Rng): Promise<string> {
  const tk = policy.tokenizer;
  const text = tk.renderChat([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
  const session = policy.startSession();
  try {
    const row = session.add(tk.encode(text, { addSpecialTokens: false }));
    const [res] = await session.generate(
      [row],
      { maxNewTokens: options.maxNewTokens, temperature: options.temperature, stopTokenIds: [tk.eosTokenId], ...(options.stop ? { stopStrings: options.stop } : {}) },
      rng,
    );
    return tk.decode(res.tokenIds, { skipSpecialTokens: true });
  } finally {
    session.dispose();
  }
}
