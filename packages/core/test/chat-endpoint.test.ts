import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion, chatCompletionsUrl } from '../src';

/** A local endpoint that records each request body and answers with the scripted statuses in turn, then 200. */
let server: Server;
let url = '';
const bodies: Record<string, unknown>[] = [];
let statuses: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { choices: [{ message: { role: 'assistant', content: `reply ${bodies.length}` } }] } : {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = chatCompletionsUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  bodies.length = 0;
  statuses = [];
});

const request = { model: 'judge', prompt: 'Is 2+2=4?', timeoutMs: 5000, retries: 0, temperature: 0, maxTokens: 16 };

describe('chatCompletion', () => {
  it('joins the base URL with /v1/chat/completions, dropping trailing slashes', () => {
    expect(chatCompletionsUrl('http://h:8000//')).toBe('http://h:8000/v1/chat/completions');
  });

  it('sends the stop strings when given, and no stop field for none or an empty list', async () => {
    await chatCompletion({ ...request, url, stop: ['\nObservation:'] });
    await chatCompletion({ ...request, url, stop: [] });
    await chatCompletion({ ...request, url });
    expect(bodies.map((b) => b.stop)).toEqual([['\nObservation:'], undefined, undefined]);
    expect(bodies[0]).toEqual({ model: 'judge', messages: [{ role: 'user', content: 'Is 2+2=4?' }], max_tokens: 16, temperature: 0, stop: ['\nObservation:'] });
  });

  it('retries a 503 and returns the reply of the try that succeeds', async () => {
    statuses = [503];
    await expect(chatCompletion({ ...request, url, retries: 1 })).resolves.toBe('reply 2');
    expect(bodies).toHaveLength(2);
  });

  it('does not retry a 400, and names the endpoint, the tries and the status', async () => {
    statuses = [400];
    await expect(chatCompletion({ ...request, url, retries: 3 })).rejects.toThrow(`judge ${url} failed after 4 tries: HTTP 400`);
    expect(bodies).toHaveLength(1);
  });
});
