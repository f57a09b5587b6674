import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOptions, type Tool } from '@tirl/core';
import { runToolKit, testPluginContext } from '@tirl/core/testing';
import { httpSearchTool } from '../src';
import { toolContext } from './helpers';

// The kit's server answers every query with one result.
let kitServer: Server;
let kitUrl = '';
beforeAll(async () => {
  kitServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ results: [{ title: 'Nile', url: 'https://encyclopedia.example.org/nile', content: 'A river in Africa.' }] }));
  });
  await new Promise<void>((resolve) => kitServer.listen(0, '127.0.0.1', resolve));
  kitUrl = `http://127.0.0.1:${(kitServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  kitServer.closeAllConnections();
  await new Promise((resolve) => kitServer.close(resolve));
});

runToolKit(httpSearchTool, {
  valid: { baseUrl: 'http://127.0.0.1:9' },
  create: (ctx) => httpSearchTool.create(parseOptions(httpSearchTool.id, httpSearchTool.options, { baseUrl: kitUrl }), ctx),
  calls: [{ args: { query: 'nile' }, ok: true, observation: /A river in Africa/ }],
  invalid: [
    { options: { baseUrl: 'not a url' }, field: 'baseUrl' },
    { options: { retries: -1 }, field: 'retries' },
    { options: { backoffFactor: 0.5 }, field: 'backoffFactor' },
    { options: { path: 'search' }, field: 'path' },
    { options: { k: 9, maxK: 3 }, field: 'k' },
  ],
});

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

describe('tool/http-search against a local SearXNG-style server', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  const requests: URL[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push(url);
      handler(req, res, url);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const results = [
    { title: 'Nile - Encyclopedia', url: 'https://encyclopedia.example.org/nile', content: 'The Nile is a river in Africa.' },
    { title: 'Nile QA dataset', url: 'https://huggingface.co/datasets/x/nile', content: 'answers' },
    { title: 'Nile cruise', url: 'https://travel.example.com/nile', content: 'Cruises   on\nthe Nile.' },
  ];
  const ok: Handler = (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ query: 'nile', results }));
  };
  const make = (options: Record<string, unknown>): Tool =>
    httpSearchTool.create(
      parseOptions(httpSearchTool.id, httpSearchTool.options, { baseUrl, backoffMs: 5, ...options }),
      testPluginContext(httpSearchTool.id),
    );

  it('sends q and format=json with extra params, and renders results without blocked urls', async () => {
    handler = ok;
    const tool = make({ params: { engines: 'wikipedia' }, blocklist: ['huggingface.co/datasets'] });
    const result = await tool.call({ query: 'nile river' }, toolContext());
    expect(requests).toHaveLength(1);
    expect(requests[0].pathname).toBe('/search');
    expect(Object.fromEntries(requests[0].searchParams)).toEqual({ engines: 'wikipedia', q: 'nile river', format: 'json' });
    expect(result.ok).toBe(true);
    expect(result.observation).toBe(
      '[1] Nile - Encyclopedia (url: https://encyclopedia.example.org/nile)\nThe Nile is a river in Africa.\n\n' +
        '[2] Nile cruise (url: https://travel.example.com/nile)\nCruises on the Nile.',
    );
    expect(result.data).toMatchObject({ blocked: 1, cached: false, attempts: 1 });
  });

  it('answers a repeated query from the cache without a request, for any k', async () => {
    handler = ok;
    const tool = make({});
    await tool.call({ query: 'nile' }, toolContext());
    const again = await tool.call({ query: 'nile', k: 1 }, toolContext());
    expect(requests).toHaveLength(1);
    expect(again.data).toMatchObject({ cached: true, hits: [results[0]] });
    const uncached = make({ cacheSize: 0 });
    await uncached.call({ query: 'nile' }, toolContext());
    await uncached.call({ query: 'nile' }, toolContext());
    expect(requests).toHaveLength(3);
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    let calls = 0;
    handler = (req, res, url) => {
      calls++;
      if (calls === 1) return void res.writeHead(503).end();
      if (calls === 2) return void res.writeHead(429).end();
      ok(req, res, url);
    };
    const started = Date.now();
    const result = await make({ retries: 2, backoffMs: 20, backoffFactor: 2 }).call({ query: 'nile' }, toolContext());
    expect(result.ok).toBe(true);
    expect(result.data).toMatchObject({ attempts: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 - 5); // waits 20 ms, then 40 ms
  });

  it('gives up after the retries with an unavailable observation', async () => {
    handler = (_req, res) => void res.writeHead(500).end();
    const result = await make({ retries: 2 }).call({ query: 'nile' }, toolContext());
    expect(requests).toHaveLength(3);
    expect(result).toMatchObject({ ok: false, error: 'unavailable', data: { attempts: 3 } });
    expect(result.observation).toBe('web_search: the search service failed: HTTP 500 Internal Server Error after 3 attempt(s)');
  });

  it('does not retry a 400', async () => {
    handler = (_req, res) => void res.writeHead(400).end();
    const result = await make({ retries: 3 }).call({ query: 'nile' }, toolContext());
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, error: 'unavailable', data: { attempts: 1 } });
    expect(result.observation).toMatch(/HTTP 400 Bad Request/);
  });

  it('retries an attempt that exceeds requestTimeoutMs', async () => {
    let calls = 0;
    handler = (req, res, url) => {
      calls++;
      if (calls === 1) return; // never answers
      ok(req, res, url);
    };
    const result = await make({ requestTimeoutMs: 100, retries: 1 }).call({ query: 'nile' }, toolContext());
    expect(result).toMatchObject({ ok: true, data: { attempts: 2 } });
  });

  it('stops at the call timeout even with retries left', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const result = await make({ requestTimeoutMs: 10_000, retries: 5 }).call({ query: 'nile' }, toolContext({ timeoutMs: 150 }));
    expect(result).toMatchObject({ ok: false, error: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['a body that is not JSON', (_q: IncomingMessage, res: ServerResponse) => void res.end('<html>'), /response is not JSON/],
    ['JSON without results', (_q: IncomingMessage, res: ServerResponse) => void res.end('{"answers":[]}'), /without a `results` list/],
  ])('reports %s as an observation', async (_name, h, message) => {
    handler = h;
    const result = await make({}).call({ query: 'nile' }, toolContext());
    expect(result.ok).toBe(false);
    expect(result.observation).toMatch(message);
  });

  it('reports a refused connection after its retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await make({ baseUrl: `http://127.0.0.1:${port}`, retries: 1 }).call({ query: 'nile' }, toolContext());
    expect(result).toMatchObject({ ok: false, error: 'unavailable' });
    expect(result.observation).toMatch(/ECONNREFUSED after 2 attempt/);
  });

  it('rejects bad arguments before any request', async () => {
    const result = await make({}).call({ query: '' }, toolContext());
    expect(result).toMatchObject({ ok: false, error: 'schema' });
    expect(requests).toHaveLength(0);
  });
});
