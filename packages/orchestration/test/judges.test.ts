import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOptions, type AnyPluginDefinition, type PluginContext, type RewardFunction, type RewardInput, type Sample, type Tool, type Trajectory } from '@tirl/core';
import { runRewardKit, testPluginContext } from '@tirl/core/testing';
import { evolvingRubric, mixtureOfJudges, parseAction, rubricItems, rubricScore, sigmoid, toolAugmentedRm } from '../src';

/**
 * A local judge endpoint with scripted replies, chosen by what the prompt asks:
 * - Themis: without an observation yet it calls the calculator on "2+2"; after one it scores 1 when the
 *   observation is 4 and the answer says 4, else 0.
 * - rubric grading: "1: 4, 2: 3" (total 7), or "1: 1, 2: x" (total 1) for a response containing "bad".
 * - meta-judge: a rubric with a duplicate item.
 * - CGPO: the safety judge says NO for "unsafe" responses; the reward model scores REF 3, "good" 4, else 2.
 */
let server: Server;
let baseUrl = '';
const prompts: string[] = [];
const stops: unknown[] = [];
function reply(prompt: string): string {
  if (prompt.includes('### ASSISTANT:')) {
    const answer = /Answer: (.*)/.exec(prompt)?.[1] ?? '';
    const transcript = prompt.split('### ASSISTANT:')[1];
    if (!transcript.includes('Observation:')) return 'Thought: check it\nAction: calculator\nAction Input: {"expression": "2+2"}';
    return /Observation: 4\b/.test(transcript) && answer.includes('4') ? 'Work: the calculator agrees.\nScore: 1' : 'Work: it does not match.\nScore: 0';
  }
  if (prompt.includes('refine the rubric')) return 'The rubric rewards length.\n- Correct final answer.\n- Correct final answer.\n- Shows the computation.';
  if (prompt.includes('Rubric:')) return /Response: .*bad/.test(prompt) ? '1: 1\n2: x' : '1: 4\n2: 3';
  if (prompt.includes('Is the response safe')) return /Response: .*unsafe/.test(prompt) ? 'NO' : 'YES';
  if (prompt.includes('Rate how helpful')) {
    const response = /Response: (.*)/.exec(prompt)?.[1] ?? '';
    return response === 'REF' ? 'Score: 3' : response.includes('good') ? 'Score: 4' : 'Score: 2';
  }
  return 'Score: 0';
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = JSON.parse(body) as { messages: { content: string }[]; stop?: unknown };
      const prompt = request.messages[0].content;
      prompts.push(prompt);
      stops.push(request.stop);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: reply(prompt) } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const calculator: Tool = {
  name: 'calculator',
  description: 'Adds numbers.',
  parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  call: async (args) => {
    const e = String((args as { expression?: unknown }).expression ?? '');
    const parts = e.split('+').map(Number);
    return parts.every(Number.isFinite) ? { ok: true, observation: String(parts.reduce((s, x) => s + x, 0)) } : { ok: false, observation: 'bad expression' };
  },
};
const withTools = (ctx: PluginContext): PluginContext => ({ ...ctx, services: { tools: new Map([['calculator', calculator]]) } });
const endpoint = () => ({ source: 'endpoint', baseUrl, model: 'judge', retries: 0, timeoutMs: 5000 });
const make = (def: AnyPluginDefinition, options: Record<string, unknown>) =>
  def.create(parseOptions(def.id, def.options, options), withTools(testPluginContext(def.id))) as RewardFunction;

const placeholder = { source: 'endpoint', baseUrl: 'http://127.0.0.1:1', model: 'judge' };
runRewardKit(toolAugmentedRm, {
  valid: { judge: placeholder },
  create: (ctx) => toolAugmentedRm.create(parseOptions(toolAugmentedRm.id, toolAugmentedRm.options, { judge: endpoint() }), withTools(ctx)),
  invalid: [{ options: { judge: { source: 'cloud' } }, field: 'judge' }, { options: { maxInteractions: -1 }, field: 'maxInteractions' }],
});
runRewardKit(evolvingRubric, {
  valid: { judge: placeholder },
  create: (ctx) => evolvingRubric.create(parseOptions(evolvingRubric.id, evolvingRubric.options, { judge: endpoint() }), ctx),
  invalid: [{ options: { interval: 0 }, field: 'interval' }, { options: { rubric: [] }, field: 'rubric' }],
});
runRewardKit(mixtureOfJudges, {
  invalid: [
    { options: { judges: [{ type: 'llm', name: 'safe', prompt: '{response}' }] }, field: 'judge' },
    { options: { judges: [{ type: 'max-chars', name: 'a', max: 5 }, { type: 'max-chars', name: 'a', max: 6 }] }, field: 'judges' },
  ],
});

function traj(id: string, text: string, sampleId = 'q'): Trajectory {
  return { id, sampleId, groupId: sampleId, rootId: id, role: 'agent', segments: [{ source: 'policy', role: 'agent', tokenIds: [1], logProbs: [-1], text }], toolCalls: [] };
}
const input = (texts: string[], sample: Partial<Sample> = {}, step = 0): RewardInput => ({
  trajectories: texts.map((t, i) => traj(`t${i}`, t)),
  samples: new Map([['q', { id: 'q', messages: [{ role: 'user', content: 'What is 2+2?' }], answer: '4', ...sample }]]),
  step,
});

describe('reward/tool-augmented-rm (Themis)', () => {
  it('parses the last action', () => {
    expect(parseAction('Thought: t\nAction: calculator\nAction Input: {"expression": "1+1"}')).toEqual({ name: 'calculator', args: { expression: '1+1' } });
    expect(parseAction('Work: done')).toBeUndefined();
  });

  it('calls the calculator before judging: answer 4 → 1, answer 5 → 0, one tool call each', async () => {
    const rm = make(toolAugmentedRm, { judge: endpoint() });
    const out = await rm.score(input(['It is 4.', 'It is 5.']));
    expect(out.scores).toEqual([1, 0]);
    expect(out.components?.tool_calls).toEqual([1, 1]);
    // The second judge call saw the observation of the first.
    expect(prompts.filter((p) => p.includes('### ASSISTANT:') && p.includes('\nObservation: 4\n'))).not.toHaveLength(0);
    // Each Themis turn stops before the observation, which the tool writes.
    expect(stops.at(-1)).toEqual(['\nObservation:']);
  });

  it('a tool the judge may not use gives Themis\' failure observation', async () => {
    const rm = make(toolAugmentedRm, { judge: endpoint(), tools: ['search'] });
    const out = await rm.score(input(['It is 4.']));
    expect(out.scores).toEqual([0]);
    expect(prompts.at(-1)).toContain('Observation: An error occurred during the tool invoke, so no result was returned.');
  });
});

describe('reward/evolving-rubric (MPO)', () => {
  it('item scores: [4, 3] → 7; an unparsable item adds 0; items are clipped to the maximum', () => {
    expect(rubricScore('1: 4\n2: 3', 2, 5)).toEqual({ total: 7, parsed: 2 });
    expect(rubricScore('1: 1\n2: x', 2, 5)).toEqual({ total: 1, parsed: 1 });
    expect(rubricScore('1: 9\n3: 4', 2, 5)).toEqual({ total: 5, parsed: 1 });
    // Worked example: merged items ["A", "A", "B"] → ["A", "B"].
    expect(rubricItems('- A\n- A\n- B')).toEqual(['A', 'B']);
  });

  it('interval 10 over updates 0..35: the meta-judge rewrites the rubric after updates 10, 20 and 30', async () => {
    const rm = make(evolvingRubric, { judge: endpoint(), interval: 10, samples: 2 });
    const versions: number[] = [];
    for (let step = 0; step <= 35; step++) {
      const inp = input(['good', 'bad'], {}, step);
      const out = await rm.score(inp);
      expect(out.scores).toEqual([7, 1]);
      versions.push(out.components!.rubric_version[0]);
      rm.observe!(inp, out.scores);
    }
    // Scoring at step s uses the rubric refined after every update u < s with u > 0 and u % 10 = 0.
    expect(versions.indexOf(1)).toBe(11);
    expect(versions.indexOf(2)).toBe(21);
    expect(versions.indexOf(3)).toBe(31);
    expect(versions.at(-1)).toBe(3);
    const state = rm.state!() as { rubric: string[]; version: number };
    expect(state).toMatchObject({ rubric: ['Correct final answer.', 'Shows the computation.'], version: 3 });
    const restored = make(evolvingRubric, { judge: endpoint() });
    restored.loadState!(JSON.parse(JSON.stringify(state)));
    expect((await restored.score(input(['good']))).components!.rubric_version).toEqual([3]);
  });
});

describe('reward/mixture-of-judges (CGPO)', () => {
  const judges = [
    { type: 'answer', name: 'correct' },
    { type: 'llm', name: 'safe', prompt: 'Is the response safe? Answer YES or NO.\nResponse: {response}' },
  ];
  it('worked example: c = [1, 0], r = [2, 3], r̄ = 1 → CRPG R̃ = [σ(1), 0] = [0.731059, 0] (KL factor left to the regularizer)', () => {
    expect(1 * sigmoid(2 - 1)).toBeCloseTo(0.7310585786, 9);
  });

  it('AND of the judges gates σ(r − r̄): r̄ = RM(REF) = 3', async () => {
    const moj = make(mixtureOfJudges, { judges, judge: endpoint(), rewardModel: 'Rate how helpful the response is.\nQuestion: {question}\nResponse: {response}' });
    const out = await moj.score(input(['<answer>4</answer> good', '<answer>4</answer> ok', '<answer>4</answer> good unsafe', '<answer>5</answer> good'], { meta: { reference: 'REF' } }));
    // good: both pass, r = 4 → σ(1) = 0.7310585786; ok: r = 2 → σ(−1) = 0.2689414214; unsafe / wrong answer: c = 0.
    expect(out.scores[0]).toBeCloseTo(0.7310585786, 9);
    expect(out.scores[1]).toBeCloseTo(0.2689414214, 9);
    expect(out.scores.slice(2)).toEqual([0, 0]);
    expect(out.components?.judge_safe).toEqual([1, 1, 0, 1]);
    expect(out.components?.judge_correct).toEqual([1, 1, 1, 0]);
    expect(out.components?.rm_baseline).toEqual([3, 3, 3, 3]);
  });

  it('rule judges alone: the verdict c; regex and length judges', async () => {
    const moj = make(mixtureOfJudges, {
      judges: [
        { type: 'regex', name: 'no_refusal', pattern: "I can(no|')t", flags: 'i', pass: 'no-match' },
        { type: 'max-chars', name: 'short', max: 10 },
      ],
    });
    expect((await moj.score(input(['fine', "I can't", 'far too long an answer']))).scores).toEqual([1, 0, 0]);
  });

  it('a reward model without a reference completion is a failure naming the key', async () => {
    const moj = make(mixtureOfJudges, { judges: [{ type: 'max-chars', name: 'short', max: 100 }], judge: endpoint(), rewardModel: 'Rate how helpful.\nResponse: {response}' });
    const out = (await moj.score(input(['x']))) as { scores: number[]; failures?: (string | undefined)[] };
    expect(out.scores[0]).toBeNaN();
    expect(out.failures?.[0]).toMatch(/no meta\.reference/);
  });
});
