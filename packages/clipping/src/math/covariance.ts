import { maskedMean } from './host';

/**
 * Per-token covariance term between advantage and log-prob over the valid tokens,
 * cov_t = (A_t − mean A)·(ℓ_t − mean ℓ) (Clip-Cov / KL-Cov, arXiv 2505.22617). Invalid tokens get −∞.
 */
export function tokenCovariance(advantages: ArrayLike<number>, logProbs: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  const meanA = maskedMean(advantages, mask);
  const meanL = maskedMean(logProbs, mask);
  const cov = new Float64Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    cov[i] = mask[i] > 0 ? (advantages[i] - meanA) * (logProbs[i] - meanL) : -Infinity;
  }
  return cov;
}

/** Number of valid tokens. */
export function countValid(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0) n += 1;
  return n;
}
