import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { llmJudge, scoreAll } from '../src';
import { parseOptions } from '@tirl/core';
import { loadFixtures, runFixtures, runRewardKit } from '@tirl/core/testing';
import { buildInput, createReward, scoreCase, type RewardCaseInput } from './helpers';

let server: http.Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const prompt = JSON.parse(body).messages[0].content as string;
      seen.push(prompt);
      const answer = /Predicted answer: (.*)/.exec(prompt)?.[1] ?? '';
      const reply = (content: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      };
      if (answer === 'ERROR500') return void res.writeHead(500).end('boom');
      if (answer === 'SLOW') return void setTimeout(() => !res.destroyed && reply('A'), 1000);
      if (answer === 'GARBAGE') return reply('maybe');
      reply(answer === 'Paris' ? 'A' : 'B');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

// The judge server above grades "Paris" A (correct) and anything else B; the kit's answers get B.
runRewardKit(llmJudge, {
  invalid: [{ options: { url: 'not a url' }, field: 'url' }, { options: { retries: -1 }, field: 'retries' }],
  valid: { url: 'http://127.0.0.1:8000/v1/chat/completions', model: 'judge' },
  create: (ctx) => llmJudge.create(parseOptions(llmJudge.id, llmJudge.options, { url, model: 'judge', retryDelayMs: 1 }), ctx),
});

const cases = loadFixtures<RewardCaseInput, { scores: (number | null)[] }>(path.join(__dirname, 'fixtures', 'llm-judge.json')).map((c) => ({
  ...c,
  expected: { scores: c.expected.scores.map((s) => (s === null ? NaN : s)) },
}));
runFixtures('reward/llm-judge fixtures', cases, (input) => scoreCase(llmJudge, { ...input, options: { ...input.options, url } }));

describe('reward/llm-judge behaviour', () => {
  const input: RewardCaseInput = {
    samples: [{ id: 'q1', messages: [{ role: 'user', content: 'Capital of France?' }], answer: 'Paris' }],
    trajectories: [
      { id: 'a', text: '<answer>Paris</answer>' },
      { id: 'b', text: '<answer>ERROR500</answer>' },
    ],
  };

  it('retries a 500 once per retry, caches grades, and records failures without throwing', async () => {
    const judge = createReward(llmJudge, { url, model: 'm', retries: 2, retryDelayMs: 1 });
    seen.length = 0;
    const result = await scoreAll([{ name: 'llm-judge', reward: judge }], buildInput(input));
    expect(seen.filter((p) => p.includes('ERROR500'))).toHaveLength(3);
    expect(seen.some((p) => p.includes('Question: Capital of France?') && p.includes('Gold target: Paris'))).toBe(true);
    expect(result.total).toEqual([1, 0]);
    expect(result.failures[1]?.['reward/llm-judge']).toMatch(/failed after 3 tries: HTTP 500/);
    seen.length = 0;
    await judge.score(buildInput(input));
    expect(seen.filter((p) => p.includes('Predicted answer: Paris'))).toHaveLength(0);
    expect(seen.filter((p) => p.includes('Predicted answer: ERROR500'))).toHaveLength(3);
  });

  it('fails every trajectory cleanly when nothing listens at the URL', async () => {
    const judge = createReward(llmJudge, { url: 'http://127.0.0.1:9/v1/chat/completions', model: 'm', retries: 0, timeoutMs: 500 });
    const out = await judge.score(buildInput(input));
    expect(out.scores.every(Number.isNaN)).toBe(true);
  });

  it('is rejected without a URL (it is off unless a recipe configures it)', () => {
    expect(() => createReward(llmJudge, { model: 'm' })).toThrow(/url/);
  });
});
