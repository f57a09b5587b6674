import type { Rng } from '@tirl/core';

export interface SamplingOptions {
  /** 0 means greedy; default 1. */
  temperature?: number;
  /** Nucleus mass in (0, 1]; 1 disables. */
  topP?: number;
  /** Keep the k most likely tokens; 0 disables. */
  topK?: number;
}

export interface Sampled {
  token: number;
  /** log softmax(logits / temperature)[token] (temperature 1 when greedy), before top-k/top-p. */
  logProb: number;
  /** Entropy of softmax(logits / temperature) (temperature 1 when greedy). */
  entropy: number;
}

/**
 * Draws one token from `logits [V]`. The returned log-prob and entropy are those of the model's
 * tempered distribution softmax(logits / T), not of the top-k/top-p truncated one: that is the
 * distribution the trainer's log-probs reproduce.
 */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, rng: Rng): Sampled {
  const temperature = options.temperature ?? 1;
  const greedy = temperature <= 0;
  const t = greedy ? 1 : temperature;
  const V = logits.length;
  const logp = new Float64Array(V);
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i] / t);
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.exp(logits[i] / t - max);
  const logZ = max + Math.log(z);
  let entropy = 0;
  let best = 0;
  for (let i = 0; i < V; i++) {
    logp[i] = logits[i] / t - logZ;
    if (logp[i] > -Infinity) entropy -= Math.exp(logp[i]) * logp[i];
    if (logp[i] > logp[best]) best = i;
  }
  const token = greedy ? best : draw(logp, options, rng);
  return { token, logProb: logp[token], entropy };
}

function draw(logp: Float64Array, options: SamplingOptions, rng: Rng): number {
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  const V = logp.length;
  let candidates: number[];
  if (topK > 0 || topP < 1) {
    candidates = Array.from({ length: V }, (_, i) => i).sort((a, b) => logp[b] - logp[a] || a - b);
    if (topK > 0) candidates = candidates.slice(0, topK);
    if (topP < 1) {
      let mass = 0;
      let keep = 0;
      while (keep < candidates.length && mass < topP) mass += Math.exp(logp[candidates[keep++]]);
      candidates = candidates.slice(0, Math.max(1, keep));
    }
  } else {
    candidates = Array.from({ length: V }, (_, i) => i);
  }
  let total = 0;
  for (const c of candidates) total += Math.exp(logp[c]);
  let u = rng.next() * total;
  for (const c of candidates) {
    u -= Math.exp(logp[c]);
    if (u < 0) return c;
  }
  return candidates[candidates.length - 1];
}
