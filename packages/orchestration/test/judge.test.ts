import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOptions, Tokens, type RewardFunction, type Sample, type Trajectory } from '@tirl/core';
import { ScriptedPolicy, testPluginContext } from '@tirl/core/testing';
import { ACCURACY_JUDGE, matpoReward, parseGrade, userQuery, type AccuracyJudge } from '../src';

const sample: Sample = {
  id: 'q',
  messages: [
    { role: 'user', content: 'Who wrote Hamlet?' },
    { role: 'user', content: 'Answer briefly.' },
  ],
  answer: ['William Shakespeare', 'Shakespeare'],
};
const samples = new Map([['q', sample]]);

/** A planner whose final message boxes `answer`, with one well-formed and one unparsable tool call (fmt_p = 1/2). */
const planner = (id: string, answer: string): Trajectory => ({
  id, sampleId: 'q', groupId: 'q', rootId: id, role: 'planner', segments: [], meta: { answer: `so the answer is \\boxed{${answer}}` },
  toolCalls: [{ turn: 0, name: 'x', args: {}, ok: false, error: 'parse', observation: '' }, { turn: 0, name: 'y', args: {}, ok: true, observation: '' }],
});
const worker = (id: string, root: string): Trajectory => ({ id, sampleId: 'q', groupId: 'q', rootId: root, parentId: root, role: 'worker', segments: [], toolCalls: [] });

function reward(options: Record<string, unknown>, services: [symbol, unknown][] = []): RewardFunction {
  const ctx = testPluginContext(matpoReward.id);
  for (const [token, value] of services) ctx.container.register(token, { useValue: value });
  return matpoReward.create(parseOptions(matpoReward.id, matpoReward.options, options), ctx) as RewardFunction;
}

describe('reward/matpo accuracy from a judge at a local OpenAI-compatible endpoint', () => {
  let server: Server;
  let baseUrl = '';
  const prompts: string[] = [];
  let failNext = 0;
  beforeAll(async () => {
    // The judge grades A when the predicted answer names Shakespeare, else B; answers 500 `failNext` times first.
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        if (failNext > 0) {
          failNext -= 1;
          res.statusCode = 500;
          return res.end('busy');
        }
        const prompt = (JSON.parse(data) as { messages: { content: string }[] }).messages[0].content;
        prompts.push(prompt);
        const predicted = prompt.match(/Predicted answer: (.*)/)![1];
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: /shakespeare/i.test(predicted) ? 'A' : 'B' } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('grades what exact match misses and gates the format term on the judged accuracy', async () => {
    const trajectories = [planner('p0', 'The Bard, W. Shakespeare'), worker('p0.c0', 'p0'), planner('p1', 'Marlowe')];
    const judged = reward({ accuracy: { source: 'endpoint', baseUrl, model: 'judge', retries: 0 }, gateFormat: true });
    const out = await judged.score({ trajectories, samples, step: 0 });
    // p0: judge A → acc 1; fmt_p = 1/2, its worker made no call → fmt_w = 1: R = 0.9 + 0.1·(0.25 + 0.5) = 0.975.
    // p1: judge B → acc 0; the gate zeroes the format term: R = 0. The worker row copies its root's R.
    expect(out.scores[0]).toBeCloseTo(0.975, 10);
    expect(out.scores[1]).toBeCloseTo(0.975, 10);
    expect(out.scores[2]).toBe(0);
    expect(out.components!.accuracy).toEqual([1, 1, 0]);
    // Exact match of "The Bard, W. Shakespeare" against the aliases is 0: acc 0, gated format 0.
    const exact = await reward({ gateFormat: true }).score({ trajectories, samples, step: 0 });
    expect(exact.scores).toEqual([0, 0, 0]);
    // The judge saw the FIRST user message as the question and both gold aliases.
    expect(prompts[0]).toContain('Question: Who wrote Hamlet?');
    expect(prompts[0]).toContain('Gold target: William Shakespeare | Shakespeare');
  });

  it('retries a 5xx and scores 0 with judge_failed 1 when the endpoint keeps failing', async () => {
    failNext = 1;
    const once = await reward({ accuracy: { source: 'endpoint', baseUrl, model: 'judge', retries: 1 } }).score({ trajectories: [planner('a', 'Shakespeare')], samples, step: 0 });
    expect(once.components!.accuracy).toEqual([1]);
    failNext = 5;
    const failed = await reward({ accuracy: { source: 'endpoint', baseUrl, model: 'judge', retries: 1 } }).score({ trajectories: [planner('b', 'Shakespeare')], samples, step: 0 });
    failNext = 0;
    // acc 0 (released code: a failed grade is 0); fmt_p = 1/2, no worker, emptyWorkers drop: R = 0.1·0.5 = 0.05.
    expect(failed.components!.judge_failed).toEqual([1]);
    expect(failed.scores[0]).toBeCloseTo(0.05, 10);
  });

  it('rejects a bad judge option by name', () => {
    expect(() => parseOptions(matpoReward.id, matpoReward.options, { accuracy: { source: 'endpoint', baseUrl: 'nope', model: 'm' } })).toThrow(/accuracy\.baseUrl/);
    expect(() => parseOptions(matpoReward.id, matpoReward.options, { accuracy: { source: 'oracle' } })).toThrow(/accuracy/);
  });
});

describe('reward/matpo accuracy from a tirl policy or a registered judge', () => {
  it('asks the policy registered under Tokens.policy and reads its grade letter', async () => {
    const judgePolicy = new ScriptedPolicy({ script: ({ text }) => (text.includes('Predicted answer: Shakespeare') ? 'A' : 'C') });
    const r = reward({ accuracy: { source: 'policy' }, emptyWorkers: 'zero' }, [[Tokens.policy as symbol, judgePolicy]]);
    const out = await r.score({ trajectories: [planner('a', 'Shakespeare'), planner('b', 'nobody')], samples, step: 0 });
    // a: acc 1, fmt 0.5·0.5 + 0.5·0 (no worker, emptyWorkers zero) = 0.25 → 0.9 + 0.025 = 0.925; b: grade C → acc 0 → 0.025.
    expect(out.scores[0]).toBeCloseTo(0.925, 10);
    expect(out.scores[1]).toBeCloseTo(0.025, 10);
  });

  it('uses any AccuracyJudge registered under ACCURACY_JUDGE, and says what to register when none is', async () => {
    const half: AccuracyJudge = { grade: async () => 0.5 };
    const out = await reward({ accuracy: { source: 'service' } }, [[ACCURACY_JUDGE as symbol, half]]).score({ trajectories: [planner('a', 'x')], samples, step: 0 });
    // acc 0.5, fmt_p 0.5 (dropped worker term): R = 0.45 + 0.05 = 0.5.
    expect(out.scores[0]).toBeCloseTo(0.5, 10);
    // A missing judge is a set-up error, not a failed grade: scoring throws and names the token to register.
    await expect(async () => reward({ accuracy: { source: 'service' } }).score({ trajectories: [planner('a', 'x')], samples, step: 0 })).rejects.toThrow(/ACCURACY_JUDGE/);
  });

  it('parses grade letters and userQuery takes the first user message', () => {
    expect(parseGrade('The grade is A.', { A: 1, B: 0 })).toBe(1);
    expect(() => parseGrade('correct', { A: 1, B: 0 })).toThrow(/no grade/);
    expect(userQuery(sample)).toBe('Who wrote Hamlet?');
  });
});
