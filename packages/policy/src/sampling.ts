import type { AdaptiveTemperature, Rng } from '@tirl/core';

export interface SamplingOptions {
  /** 0 means greedy; default 1. */
  temperature?: number;
  /** Nucleus mass in (0, 1]; 1 disables. */
  topP?: number;
  /** Keep the k most likely tokens; 0 disables. */
  topK?: number;
  /** HAPO: per-token temperature from the raw distribution's entropy (see `adaptiveTemperatureFor`). */
  adaptiveTemperature?: AdaptiveTemperature;
}

/**
 * HAPO's token temperature (released sampler): with H the entropy of softmax(logits) (before temperature),
 * e = log(max(H, 1e-6)), h = (e − med)/(std + 1e-6), ĥ = clamp(h·scalePos, −1, 1) for h > 0 and
 * clamp(h·scaleNeg, −1, 1) otherwise; T_t = T·(1 + tau·ĥ).
 */
export function adaptiveTemperatureFor(entropy: number, temperature: number, a: AdaptiveTemperature): number {
  const h = (Math.log(Math.max(entropy, 1e-6)) - a.med) / (a.std + 1e-6);
  const hat = Math.min(1, Math.max(-1, h * (h > 0 ? a.scalePos : a.scaleNeg)));
  return temperature * (1 + a.tau * hat);
}

/** Entropy of softmax(logits) at temperature 1. */
function rawEntropy(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  const logZ = max + Math.log(z);
  let h = 0;
  for (let i = 0; i < logits.length; i++) {
    const lp = logits[i] - logZ;
    if (lp > -Infinity) h -= Math.exp(lp) * lp;
  }
  return h;
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
  const nominal = options.temperature ?? 1;
  const greedy = nominal <= 0;
  const temperature = !greedy && options.adaptiveTemperature ? adaptiveTemperatureFor(rawEntropy(logits), nominal, options.adaptiveTemperature) : nominal;
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
