import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { TirlError, type ResolvedRecipe, type Tokenizer } from '@tirl/core';
import { ByteTokenizer, CausalLM, loadTokenizer, ModelConfig, readSafetensors } from '@tirl/policy';
import { PROTOCOL } from './messages';

/** What a worker needs to build the run's model and experiment; the learner writes it once per run. */
export interface RunManifest {
  protocol: number;
  runId: string;
  recipe: ResolvedRecipe;
  /** Hugging Face `config.json` of the model. */
  modelConfig: Record<string, unknown>;
  /** `byte`: the built-in byte tokenizer; `files`: the tokenizer's files (base64), as `savePretrained` writes them. */
  tokenizer: { kind: 'byte' } | { kind: 'files'; files: Record<string, string> };
  maxContext?: number;
  /** Where weights are: `redis`, or a directory every machine mounts. */
  weightStore: WeightStoreSpec;
}

export function describeTokenizer(tokenizer: Tokenizer): RunManifest['tokenizer'] {
  if (tokenizer instanceof ByteTokenizer) return { kind: 'byte' };
  const save = (tokenizer as { save?: (dir: string) => void }).save;
  if (typeof save !== 'function') {
    throw new TirlError('Workers rebuild the tokenizer from its files, but this tokenizer has no save(dir) method. Use a Hugging Face tokenizer folder or the byte tokenizer.', 'invalid-options');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tirl-tokenizer-'));
  try {
    save.call(tokenizer, dir);
    return { kind: 'files', files: Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')])) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function buildTokenizer(spec: RunManifest['tokenizer']): Promise<Tokenizer> {
  if (spec.kind === 'byte') return new ByteTokenizer();
  const dir = mkdtempSync(join(tmpdir(), 'tirl-tokenizer-'));
  try {
    for (const [name, data] of Object.entries(spec.files)) writeFileSync(join(dir, name), Buffer.from(data, 'base64'));
    return await loadTokenizer(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run's model with complete weights (`bytes`: safetensors of version 0). */
export function buildModel(manifest: RunManifest, bytes: Buffer): CausalLM {
  const config = ModelConfig.fromHfConfig(manifest.modelConfig, `run ${manifest.runId} manifest`);
  const dir = mkdtempSync(join(tmpdir(), 'tirl-model-'));
  try {
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const tensors = readSafetensors(join(dir, 'model.safetensors'));
    const weights = new Map<string, tf.Tensor>([...tensors].map(([name, t]) => [name, tf.tensor(t.data as Float32Array, t.shape, 'float32')]));
    try {
      return new CausalLM(config, weights);
    } finally {
      tf.dispose([...weights.values()]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function checkManifest(raw: string | null, runId: string, url: string): RunManifest {
  if (raw === null) {
    throw new TirlError(`No run "${runId}" at ${url}: start the learner first (tirl train --queue ${url} --run ${runId}), or pass the right --run.`, 'invalid-options');
  }
  const manifest = JSON.parse(raw) as RunManifest;
  if (manifest.protocol !== PROTOCOL) {
    throw new TirlError(`Run "${runId}" uses protocol ${manifest.protocol}; this worker speaks ${PROTOCOL}. Install the same @tirl/scale-out version as the learner.`, 'invalid-options');
  }
  return manifest;
}

/** Where a run's weights live, as every machine of the run reads it from the manifest. */
export type WeightStoreSpec = { kind: 'redis' } | { kind: 'dir'; dir: string } | { kind: 's3'; url: string };
