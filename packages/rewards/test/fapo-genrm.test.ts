import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOptions, Tokens, type RewardFunction } from '@tirl/core';
import { ScriptedPolicy, testPluginContext } from '@tirl/core/testing';
import { flawedPositive } from '../src';
import { genrmPrompt, parseErrorIndex, splitParagraphs } from '../src/shapers/genrm-checker';
import { buildInput, type RewardCaseInput } from './helpers';

/**
 * A stand-in GenRM: it answers `\boxed{k}` with k the first paragraph that contains "2+2=5", or
 * `\boxed{-1}` when none does; a solution containing "MUMBLE" gets a reply without a box.
 */
function verdictFor(prompt: string): string {
  if (prompt.includes('MUMBLE')) return 'I am not sure.';
  const paragraphs = [...prompt.matchAll(/<paragraph_(\d+)>\n([\s\S]*?)\n<\/paragraph_\1>/g)];
  const bad = paragraphs.find((m) => m[2].includes('2+2=5'));
  return `Reviewing each paragraph... \\boxed{${bad ? bad[1] : -1}}`;
}

let server: http.Server;
let baseUrl = '';
const prompts: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const prompt = JSON.parse(body).messages[0].content as string;
      prompts.push(prompt);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: verdictFor(prompt) } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

// Gold 4 (math check). a: correct, sound steps; b: correct but paragraph 1 says 2+2=5 (a flawed positive);
// c: wrong answer (never sent to the GenRM); d: correct, the GenRM's reply has no box.
const input: RewardCaseInput = {
  samples: [{ id: 'q1', messages: [{ role: 'user', content: 'What is 2+2?' }], answer: '4' }],
  trajectories: [
    { id: 'a', text: 'Two plus two.\n\nThat is 4.\n\n\\boxed{4}' },
    { id: 'b', text: 'Two plus two.\n\n2+2=5, minus one.\n\n\\boxed{4}' },
    { id: 'c', text: 'Guess.\n\n\\boxed{5}' },
    { id: 'd', text: 'MUMBLE\n\n\\boxed{4}' },
  ],
};
// λ = 1: a → 0 (index −1); b → −1 (index 1 ≠ −1); c → 0 (wrong, no call); d → 0 (unparsed counts as not
// flawed, as reward_fn_reasoning.py does), flagged in the `unparsed` component.
const expected = { scores: [0, -1, 0, 0], components: { flawed: [0, 1, 0, 0], unparsed: [0, 0, 0, 1] } };

describe('reward/flawed-positive with FAPO generative reward model', () => {
  it('splits paragraphs, builds the indexed prompt and reads the last boxed index', () => {
    expect(splitParagraphs('a\n\n b \n\n\n\nc')).toEqual(['a', 'b', 'c']);
    expect(genrmPrompt('P={problem} S={paragraphs}', 'Q', 'x\n\ny')).toBe('P=Q S=<paragraph_0>\nx\n</paragraph_0>\n\n<paragraph_1>\ny\n</paragraph_1>');
    expect(parseErrorIndex('first \\boxed{2} then \\boxed{ -1 }')).toBe(-1);
    expect(parseErrorIndex('\\boxed{x}')).toBeUndefined();
  });

  it('endpoint: penalises the correct rollout whose earliest wrong paragraph the GenRM names', async () => {
    prompts.length = 0;
    const reward = flawedPositive.create(parseOptions(flawedPositive.id, flawedPositive.options, { checker: 'endpoint', genrm: { baseUrl, model: 'fapo-genrm', retries: 0 } }), testPluginContext(flawedPositive.id)) as RewardFunction;
    const out = await reward.score(buildInput(input));
    expect({ scores: out.scores, components: out.components }).toEqual(expected);
    // Three correct rollouts were checked; the wrong one was not sent.
    expect(prompts).toHaveLength(3);
    expect(prompts[1]).toContain('[Math Problem]\n\nWhat is 2+2?');
    expect(prompts[1]).toContain('<paragraph_1>\n2+2=5, minus one.\n</paragraph_1>');
  });

  it('policy: a tirl policy registered under Tokens.policy is the GenRM', async () => {
    // The scripted policy reads the prompt it is given (its chat-rendered row) and answers like the server.
    const judge = new ScriptedPolicy({ script: ({ text }) => verdictFor(text) });
    const ctx = testPluginContext(flawedPositive.id);
    ctx.container.register(Tokens.policy, { useValue: judge });
    const reward = flawedPositive.create(parseOptions(flawedPositive.id, flawedPositive.options, { checker: 'policy' }), ctx) as RewardFunction;
    const out = await reward.score(buildInput(input));
    expect({ scores: out.scores, components: out.components }).toEqual(expected);
  });

  it('rejects an endpoint checker without a URL, naming the field; a policy checker without a policy says what to register', async () => {
    expect(() => parseOptions(flawedPositive.id, flawedPositive.options, { checker: 'endpoint' })).toThrow(/genrm\.baseUrl/);
    const reward = flawedPositive.create(parseOptions(flawedPositive.id, flawedPositive.options, { checker: 'policy' }), testPluginContext(flawedPositive.id)) as RewardFunction;
    // A checker that cannot start is a checker failure for each correct rollout: scored 0, flagged unparsed.
    const out = await reward.score(buildInput(input));
    expect(out.components?.unparsed).toEqual([1, 1, 0, 1]);
  });
});
