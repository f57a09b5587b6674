import { definePlugin, tokenizePreference, TirlError } from '@tirl/core';
import { z } from 'zod';

/**
 * Offline pairs: each sample's `preference` {chosen, rejected, guidance?}, tokenised once (prompt = the
 * chat-rendered messages; each response = its text + EOS). No rollouts.
 */
export const offlinePairs = definePlugin({
  kind: 'pairs',
  name: 'offline',
  summary: 'Offline preference pairs from each sample\'s "preference" (JSONL): no rollouts',
  options: z
    .object({
      /** Append EOS to each response (it is trained as part of the response; its guidance is 0). */
      appendEos: z.boolean().default(true),
      /** Fail on a sample without per-token guidance (TGDPO). */
      requireGuidance: z.boolean().default(false),
    })
    .strict(),
  create: (o) => ({
    fromRollouts: false,
    pairs({ samples, tokenizer }) {
      const pairs = samples.map((s) => {
        const pair = tokenizePreference(s, tokenizer, { appendEos: o.appendEos });
        if (o.requireGuidance && (!pair.chosenGuidance || !pair.rejectedGuidance)) {
          throw new TirlError(`pairs/offline: sample "${s.id}" lacks preference.chosenGuidance or preference.rejectedGuidance, which requireGuidance asks for`, 'invalid-data');
        }
        return pair;
      });
      return { pairs, metrics: { 'pairs/offline/pairs': pairs.length } };
    },
  }),
});
