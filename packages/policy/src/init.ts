import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tirl/core';
import { ModelConfig, type ModelConfigInput } from './config';
import { CausalLM } from './model';
import { expectedShapes } from './weights';

/**
 * A randomly initialised model (seeded): projections and embeddings ~ N(0, std²), biases ~ N(0, std²),
 * norm weights 1. For demos and tests.
 */
export function createTinyModel(config: ModelConfigInput | ModelConfig, seed = 0, options: { std?: number } = {}): CausalLM {
  const full = ModelConfig.create(config);
  const std = options.std ?? 0.02;
  const rng = new Rng(seed);
  const weights = new Map<string, tf.Tensor>();
  for (const [name, shape] of expectedShapes(full)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('norm.weight')) data.fill(1);
    else for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
    weights.set(name, tf.tensor(data, shape));
  }
  try {
    return new CausalLM(full, weights);
  } finally {
    tf.dispose([...weights.values()]);
  }
}
