import { z } from 'zod';

/** Options shared by every estimator that standardises scores within a group (GRPO and its relatives). */
export const groupNormFields = {
  /** false = Dr. GRPO: centre only, no division by the std (arXiv 2503.20783 §3.1). */
  normByStd: z.boolean().default(true),
  /** verl / TRL use the unbiased (n−1) std; HAPO and `np.std` use the population std. */
  stdKind: z.enum(['unbiased', 'population']).default('unbiased'),
  /** `(R − μ)/(σ + eps)`; verl 1e-6, TRL 1e-4, OpenRLHF 1e-9. */
  eps: z.number().nonnegative().default(1e-6),
  /** A group of one: `zero` (TRL; no baseline exists) or `raw` (verl: μ = 0, σ = 1, so A = R). */
  singleton: z.enum(['zero', 'raw']).default('zero'),
};

export type GroupNormFields = {
  normByStd: boolean;
  stdKind: 'unbiased' | 'population';
  eps: number;
  singleton: 'zero' | 'raw';
};

/** Options of every estimator that whitens its advantages over the batch's trained tokens (REINFORCE++, GAE). */
export const whitenFields = {
  /** Whitening variance: verl `masked_var` is unbiased; OpenRLHF uses the population variance. */
  whitenVariance: z.enum(['unbiased', 'population']).default('unbiased'),
  whitenEps: z.number().positive().default(1e-8),
  /** Whiten inside the estimator (verl); false skips whitening entirely (paper GAE, OpenRLHF `no_std_norm` / trainer-side). */
  whiten: z.boolean().default(true),
};

/** Discount γ; verl and OpenRLHF default 1.0. */
const gamma = z.number().min(0).max(1).default(1);

/** Options of the REINFORCE++ estimators: the discount of the reward-to-go, then whitening. */
export const reinforceFields = { gamma, ...whitenFields };

/** Options shared by the GAE estimators (`advantage/gae` and T-PPO's `advantage/egae`). */
export const gaeFields = {
  gamma,
  /** GAE λ; verl default 1.0 (then A_t = R − V_t). */
  lambda: z.number().min(0).max(1).default(1),
  ...whitenFields,
};
