import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError, Tokens, type TokenLogProbModel } from '@tirl/core';
import { z } from 'zod';

const ID = 'regularizer/dpo-token-reward';

/**
 * RTO's dense token reward for PPO: r_t = clamp(β₁·(ℓ_dpo[t] − ℓ_ref[t]), −c, c) on trained tokens, from
 * a DPO-trained model (the service `Tokens.tokenRewardModel`) against the PPO reference. Returned as a
 * reward penalty (its negative), so the trainer adds it to the token rewards before advantages (GAE);
 * the KL term and the sentence-level reward stay with `regularizer/kl` and the reward plugins.
 */
export const dpoTokenReward = definePlugin({
  kind: 'regularizer',
  name: 'dpo-token-reward',
  summary: 'RTO: dense token reward β₁·log(π_dpo/π_ref), clamped, added to the PPO token rewards',
  paper: {
    title: 'DPO Meets PPO: Reinforced Token Optimization for RLHF',
    arxiv: '2404.18922',
    section: '§4 (practical RTO: DPO token reward inside PPO); β₁ = 0.05, clip 0.05 (released examples/scripts/train_rto_llama_8b.sh)',
  },
  requires: ['refLogProbs'],
  inject: { model: Tokens.tokenRewardModel },
  options: z
    .object({
      /** β₁ (dpo_reward_scale). Must be positive: the released code treats ≤ 0 as 1. */
      scale: z.number().positive().default(0.05),
      /** c (dpo_reward_clip): the scaled reward is clamped to [−c, c]; 0 disables the clamp. */
      clip: z.number().min(0).default(0.05),
    })
    .strict(),
  create: (o, ctx) => {
    const model = ctx.services.model as TokenLogProbModel;
    return {
      rewardPenalty({ batch, refLogProbs }) {
        if (!refLogProbs) throw new TirlError(`${ID}: reference log-probs are missing`, 'missing-input');
        return tf.tidy(() => {
          const dpo = model.logProbs(batch.ids, batch.attentionMask).logProbs;
          const scaled = tf.mul(o.scale, tf.sub(dpo, refLogProbs));
          const clamped = o.clip > 0 ? tf.clipByValue(scaled, -o.clip, o.clip) : scaled;
          const masked = tf.where(tf.greater(batch.lossMask, 0), clamped, tf.zerosLike(clamped));
          return tf.neg(masked) as tf.Tensor2D;
        });
      },
    };
  },
});
