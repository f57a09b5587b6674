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
