import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TirlError } from '@tirl/core';
import { readSafetensors, writeSafetensors, type SafeTensor } from '@tirl/policy';
import type { Redis } from 'ioredis';
import { runKeys } from './url';

/** Which weights a version carries: every weight, or only those the learner trains (adapters). */
export type PublishMode = 'full' | 'trainable';

/**
 * Versioned policy weights as safetensors bytes. Version 0 is always complete; later versions carry what
 * `PublishMode` says. `latest` is written after the bytes, so a reader never sees a version it cannot load.
 */
export interface WeightStore {
  put(version: number, bytes: Buffer): Promise<void>;
  get(version: number): Promise<Buffer>;
  latest(): Promise<number | null>;
  /** Drops versions below `version` (they can no longer be asked for). */
  prune(below: number): Promise<void>;
}

/** Weights in Redis itself: simplest, for models of a few hundred MB at most. */
export function redisWeightStore(redis: Redis, runId: string): WeightStore {
  const keys = runKeys(runId);
  return {
    async put(version, bytes) {
      await redis.set(keys.weights(version), bytes);
      await redis.set(keys.latestVersion, String(version));
    },
    async get(version) {
      const bytes = await redis.getBuffer(keys.weights(version));
      if (!bytes) throw new TirlError(`weights of version ${version} are not in Redis (${keys.weights(version)}); the learner pruned or never published them`, 'invalid-data');
      return bytes;
    },
    async latest() {
      const v = await redis.get(keys.latestVersion);
      return v === null ? null : Number(v);
    },
    async prune(below) {
      const old = await redis.keys(`${keys.prefix}:weights:v*`);
      const drop = old.filter((k) => Number(k.slice(k.lastIndexOf(':v') + 2)) < below && Number(k.slice(k.lastIndexOf(':v') + 2)) > 0);
      if (drop.length) await redis.del(...drop);
    },
  };
}

/**
 * Weights in a directory every machine mounts (NFS, a bucket mounted with a FUSE driver): `DIR/RUN/vN.safetensors`,
 * written to a temp name and renamed; `latest` is a small file renamed into place after the weights.
 */
export function dirWeightStore(dir: string, runId: string): WeightStore {
  const root = join(dir, runId);
  mkdirSync(root, { recursive: true });
  const file = (v: number) => join(root, `v${v}.safetensors`);
  const atomicWrite = (path: string, data: Buffer | string) => {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  };
  return {
    async put(version, bytes) {
      atomicWrite(file(version), bytes);
      atomicWrite(join(root, 'latest'), String(version));
    },
    async get(version) {
      if (!existsSync(file(version))) throw new TirlError(`weights of version ${version} not found: ${file(version)}`, 'invalid-data');
      return readFileSync(file(version));
    },
    async latest() {
      const path = join(root, 'latest');
      return existsSync(path) ? Number(readFileSync(path, 'utf8')) : null;
    },
    async prune(below) {
      for (let v = Math.max(1, below - 64); v < below; v++) rmSync(file(v), { force: true });
    },
  };
}

/** Serialises named weights to safetensors bytes (`trainable` mode keeps only trainable variables). */
export function encodeWeights(weights: Map<string, tf.Variable>, mode: PublishMode): Buffer {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, v] of weights) {
    if (mode === 'trainable' && !v.trainable) continue;
    tensors.set(name, { dtype: 'F32', shape: [...v.shape], data: v.dataSync() as Float32Array });
  }
  return throughTempFile((path) => {
    writeSafetensors(path, tensors, { format: 'pt' });
    return readFileSync(path);
  });
}

/** Assigns the tensors in `bytes` to the variables of the same name; names the tensor that does not fit. */
export function applyWeights(weights: Map<string, tf.Variable>, bytes: Buffer, version: number): number {
  const tensors = throughTempFile((path) => {
    writeFileSync(path, bytes);
    return readSafetensors(path);
  });
  for (const [name, t] of tensors) {
    const v = weights.get(name);
    if (!v) throw new TirlError(`weights of version ${version}: tensor "${name}" is not a weight of this worker's model (different model config?)`, 'invalid-data');
    if (v.shape.join(',') !== t.shape.join(',')) {
      throw new TirlError(`weights of version ${version}: tensor "${name}" has shape [${t.shape}], this worker's model has [${v.shape}]`, 'invalid-data');
    }
    tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, t.shape, 'float32')));
  }
  return tensors.size;
}

function throughTempFile<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tirl-weights-'));
  try {
    return fn(join(dir, 'w.safetensors'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--weight-dir` as a store spec: `s3://BUCKET[/PREFIX]` is a bucket, anything else a mounted directory. */
export function weightStoreSpec(weightDir: string | undefined): { kind: 'redis' } | { kind: 'dir'; dir: string } | { kind: 's3'; url: string } {
  if (!weightDir) return { kind: 'redis' };
  return weightDir.startsWith('s3://') ? { kind: 's3', url: weightDir } : { kind: 'dir', dir: weightDir };
}
