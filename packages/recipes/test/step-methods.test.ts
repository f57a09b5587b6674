import { agenticMethods } from '../src';
import { trainOneStep, useWasmBackend } from './task';

/**
 * Methods without a paper run of their own (no recipe): one training step each on a task that fits it,
 * with the same tiny model and overrides as the recipe step tests.
 */
export const methodCases: { method: string; task: string; extra?: string[]; tool?: boolean }[] = [
  { method: 'metatool', task: 'search-qa', tool: true },
  // The two test questions carry no needs-CoT label.
  { method: 'adacot', task: 'math', extra: ['reward/adacot-pareto.unlabelled=no-penalty'] },
  { method: 'tapir', task: 'math' },
  // The test questions carry no tests: the rewarder records failures (scored 0) and the smooth test reward trains.
  { method: 'acecode', task: 'math' },
  // Groups of 2: one plain rollout and one with the policy document in context.
  // The judges run on the policy being trained (its replies do not parse: failures, scored 0).
  { method: 'themis', task: 'search-qa', tool: true, extra: ['reward/tool-augmented-rm.judge={"source":"training-policy","maxTokens":8}'] },
  { method: 'mpo', task: 'math', extra: ['reward/evolving-rubric.judge={"source":"training-policy","maxTokens":8}'] },
  { method: 'cgpo', task: 'math' },
  { method: 'latm', task: 'hermes-qa' },
  // The untrained model answers at once: two answers per tree give a group of two leaves.
  { method: 'toolllm', task: 'parallel-tools-qa', tool: true, extra: ['rollout/dfsdt.answers=2'] },
  { method: 'trimpi', task: 'math', extra: ['rollout/policy-augmented.document=Answer in one word.'] },
  { method: 'divide-then-aggregate', task: 'parallel-tools-qa', tool: true },
  { method: 'exemplar-selection', task: 'math' },
  { method: 'demo-retrieval', task: 'math', extra: ['sampler/demo-retrieval.apiDocs=["search(query)"]'] },
  // One rollout per mode with its tag injected and one self-routed: a group of 3 + 1.
  { method: 'a2fm-apo', task: 'math', extra: ['groupSize=4', 'rollout/a2fm-apo.rho=1', 'rollout/a2fm-apo.gamma=1'] },
];

beforeAll(useWasmBackend);

it('every method without a recipe of its own has a step case here', () => {
  expect(methodCases.map((c) => c.method).sort()).toEqual(agenticMethods.map((m) => m.name).sort());
});

describe('one training step of each method on a task', () => {
  it.each(methodCases.map((c) => [c.method, c] as const))('%s', async (_name, c) => {
    const { loss, changed } = await trainOneStep(c.method, c.extra, c.tool, c.task);
    expect(Number.isFinite(loss)).toBe(true);
    expect(changed).toBe(true);
  });
});
