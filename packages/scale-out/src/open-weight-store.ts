import type { Redis } from 'ioredis';
import type { WeightStoreSpec } from './manifest';
import { s3WeightStore } from './s3/s3-weight-store';
import { dirWeightStore, redisWeightStore, type WeightStore } from './weights';

/** The store a spec names; an S3 store reads its credentials, region and endpoint from this machine's environment. */
export function openWeightStore(spec: WeightStoreSpec, runId: string, redis: Redis): WeightStore {
  if (spec.kind === 'dir') return dirWeightStore(spec.dir, runId);
  if (spec.kind === 's3') return s3WeightStore(spec.url, runId);
  return redisWeightStore(redis, runId);
}
