import type { AnyPluginDefinition } from '@tirl/core';
import { plugins, scoreAll } from '../src';
import { buildInput, createReward, type RewardCaseInput, type TrajSpec } from './helpers';

const hostile: TrajSpec[] = [
  { id: 'empty', text: '' },
  { id: 'unicode', text: '<answer>日本語 🚀 café\u0000</answer>' },
  { id: 'unbalanced', text: '\\boxed{1/2 <answer>' },
  { id: 'huge-number', text: `\\boxed{${'9'.repeat(100_000)}}` },
  { id: 'huge-power', text: '\\boxed{10^{10^{10}}}' },
  { id: 'json-junk', text: '<think>x</think>\n<tool_call>\n{"name": 1}\n</tool_call>' },
  { id: 'odd-calls', text: 'x', toolCalls: [{ name: '', args: null, cost: NaN, evidence: { iou: NaN } }, { name: 'x', args: [1], ok: false }] },
  { id: 'orphan', parent: 'missing-root', text: 'x' },
];

const options: Record<string, Record<string, unknown>> = {
  'reward/llm-judge': { url: 'http://127.0.0.1:9/x', model: 'm', retries: 0, timeoutMs: 200 },
  'reward/weighted-sum': { components: [{ id: 'reward/math-equivalence' }, { id: 'reward/toolrl' }] },
  'reward/product': { components: [{ id: 'reward/exact-match' }, { id: 'reward/otc' }] },
  'reward/gate': { gate: { id: 'reward/tool-format' }, components: [{ id: 'reward/token-f1' }] },
};

const samples = [
  { id: 'q1', messages: [], answer: '1/2' },
  { id: 'q2', messages: [], answer: { weird: true } },
];

describe.each(plugins.map((p) => [p.id, p] as [string, AnyPluginDefinition]))('%s on malformed input', (id, def) => {
  it('scores every trajectory (finite or a recorded failure) and never throws', async () => {
    const input: RewardCaseInput = {
      samples,
      trajectories: [...hostile, ...hostile.filter((t) => !t.parent).map((t) => ({ ...t, id: `${t.id}-q2`, sample: 'q2' }))],
    };
    const batch = buildInput(input);
    const started = Date.now();
    const result = await scoreAll([{ name: id, reward: createReward(def, options[id]) }], batch);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.total).toHaveLength(batch.trajectories.length);
    result.total.forEach((s) => expect(Number.isFinite(s)).toBe(true));
    const orphan = batch.trajectories.findIndex((t) => t.id === 'orphan');
    const scored = result.components[`reward/${id}`][orphan];
    if (!Number.isFinite(scored)) expect(result.failures[orphan]).toBeDefined();
  });
});
