import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { parseS3Url, s3WeightStore } from '../src';

/** A bucket in memory that answers PUT/GET/DELETE of objects the way S3 does (200, 404), and records requests. */
function fakeS3(): Promise<{ server: Server; endpoint: string; objects: Map<string, Buffer>; requests: { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer }[]; deny: { on: boolean } }> {
  const objects = new Map<string, Buffer>();
  const requests: { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const deny = { on: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = decodeURIComponent(req.url ?? '');
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (deny.on) return res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
      if (req.method === 'PUT') objects.set(path, body);
      if (req.method === 'DELETE') objects.delete(path);
      if (req.method === 'GET' && !objects.has(path)) return res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
      res.writeHead(req.method === 'DELETE' ? 204 : 200).end(req.method === 'GET' ? objects.get(path) : undefined);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, objects, requests, deny })));
}

const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-3' };

describe('S3 weight store', () => {
  let s3: Awaited<ReturnType<typeof fakeS3>>;
  beforeAll(async () => (s3 = await fakeS3()));
  afterAll(() => s3.server.close());

  it('writes versions and the latest pointer under PREFIX/RUN, reads them back, and prunes old versions', async () => {
    const store = s3WeightStore('s3://weights-bucket/team/tirl', 'run-1', { env: { ...env, AWS_ENDPOINT_URL: s3.endpoint } });
    expect(await store.latest()).toBeNull();
    await store.put(0, Buffer.from('v0 bytes'));
    await store.put(1, Buffer.from('v1 bytes'));
    await store.put(2, Buffer.from('v2 bytes'));
    expect(await store.latest()).toBe(2);
    expect((await store.get(1)).toString()).toBe('v1 bytes');
    await store.prune(2);
    expect([...s3.objects.keys()].sort()).toEqual(['/weights-bucket/team/tirl/run-1/latest', '/weights-bucket/team/tirl/run-1/v0.safetensors', '/weights-bucket/team/tirl/run-1/v2.safetensors']);
    await expect(store.get(1)).rejects.toThrow('weights of version 1 not found: s3://weights-bucket/team/tirl/run-1/v1.safetensors');
  });

  it('signs every request for the region with the body hash S3 checks', () => {
    const put = s3.requests.find((r) => r.method === 'PUT')!;
    expect(put.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(put.body).digest('hex'));
    expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it('says which credentials to check when the bucket refuses, and what is missing without them', async () => {
    s3.deny.on = true;
    const store = s3WeightStore('s3://weights-bucket', 'run-2', { env: { ...env, AWS_ENDPOINT_URL: s3.endpoint } });
    await expect(store.latest()).rejects.toThrow(/was refused \(403\): check AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY/);
    s3.deny.on = false;
    expect(() => s3WeightStore('s3://weights-bucket', 'run-2', { env: {} })).toThrow('needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  });

  it('refuses a location that is not s3://BUCKET[/PREFIX]', () => {
    expect(parseS3Url('s3://b-1/a/b/')).toEqual({ bucket: 'b-1', prefix: 'a/b' });
    expect(() => parseS3Url('https://bucket/x')).toThrow('Expected s3://BUCKET[/PREFIX]');
    expect(() => parseS3Url('s3://UPPER')).toThrow('is not an S3 location');
  });
});
