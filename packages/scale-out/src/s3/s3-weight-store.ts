import { TirlError } from '@tirl/core';
import type { WeightStore } from '../weights';
import { sha256Hex, signS3Request, type S3Credentials } from './sigv4';

export interface S3StoreOptions {
  /** Defaults: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, else `https://s3.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Defaults: `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`. */
  region?: string;
  /** Defaults: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. */
  credentials?: S3Credentials;
  env?: NodeJS.ProcessEnv;
}

/** `s3://BUCKET[/PREFIX]` → bucket and prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new TirlError(`"${url}" is not an S3 location. Expected s3://BUCKET[/PREFIX], e.g. s3://my-bucket/tirl-weights.`, 'invalid-options');
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/**
 * Weights in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 ...): `PREFIX/RUN/vN.safetensors`, then a small
 * `PREFIX/RUN/latest` object written after the weights. Path-style requests signed with Signature Version 4;
 * credentials, region and endpoint come from the usual AWS variables on each machine, never from Redis.
 */
export function s3WeightStore(url: string, runId: string, o: S3StoreOptions = {}): WeightStore {
  const env = o.env ?? process.env;
  const { bucket, prefix } = parseS3Url(url);
  const region = o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = (o.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, '');
  const credentials = o.credentials ?? credentialsFromEnv(env);
  const key = (name: string) => [prefix, runId, name].filter(Boolean).join('/');
  const where = (name: string) => `s3://${bucket}/${key(name)} at ${endpoint}`;

  async function request(method: 'GET' | 'PUT' | 'DELETE', name: string, body?: Buffer): Promise<Response> {
    const target = new URL(`${endpoint}/${bucket}/${key(name)}`);
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const headers = signS3Request({ method, url: target, payloadHash: sha256Hex(body ?? ''), region, credentials, amzDate });
    let res: Response;
    try {
      res = await fetch(target, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}) });
    } catch (e) {
      throw new TirlError(`${method} ${where(name)} failed: ${(e as Error).message} (is the endpoint right? set AWS_ENDPOINT_URL)`, 'invalid-data');
    }
    if (res.status === 403 || res.status === 401) {
      throw new TirlError(`${method} ${where(name)} was refused (${res.status}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy on this machine`, 'invalid-options');
    }
    return res;
  }

  return {
    async put(version, bytes) {
      for (const [name, body] of [[`v${version}.safetensors`, bytes], ['latest', Buffer.from(String(version))]] as const) {
        const res = await request('PUT', name, body);
        if (!res.ok) throw new TirlError(`PUT ${where(name)} failed: HTTP ${res.status} ${await res.text()}`, 'invalid-data');
      }
    },
    async get(version) {
      const res = await request('GET', `v${version}.safetensors`);
      if (res.status === 404) throw new TirlError(`weights of version ${version} not found: ${where(`v${version}.safetensors`)}`, 'invalid-data');
      if (!res.ok) throw new TirlError(`GET ${where(`v${version}.safetensors`)} failed: HTTP ${res.status}`, 'invalid-data');
      return Buffer.from(await res.arrayBuffer());
    },
    async latest() {
      const res = await request('GET', 'latest');
      if (res.status === 404) return null;
      if (!res.ok) throw new TirlError(`GET ${where('latest')} failed: HTTP ${res.status}`, 'invalid-data');
      return Number(await res.text());
    },
    async prune(below) {
      for (let v = Math.max(1, below - 64); v < below; v++) await request('DELETE', `v${v}.safetensors`);
    },
  };
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): S3Credentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new TirlError('An s3:// weight store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY on every machine of the run.', 'invalid-options');
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
