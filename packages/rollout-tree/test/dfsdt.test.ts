import { runRolloutKit } from '@tirl/core/testing';
import { dfsdtRollout, diversityPrompt, GIVE_UP, ParallelCallsFormat } from '../src';
import { echoTool, engineDefaults, makeInput } from './helpers';

runRolloutKit(dfsdtRollout, {
  exactRollouts: false,
  invalid: [{ options: { width: 0 }, field: 'width' }, { options: { maxDepth: 0 }, field: 'maxDepth' }],
});

const create = (over: Record<string, unknown> = {}) =>
  dfsdtRollout.create({ ...engineDefaults, countSharedOnce: true, width: 2, maxDepth: 4, maxQueries: 200, answers: 1, diversity: true, giveUp: GIVE_UP, ...over } as never, {} as never);
const format = new ParallelCallsFormat({ callPrefix: 'Function Call:', finishName: 'Finish', stopString: '\nObservation:' });
const call = (name: string) => `Function Call: [{"name": "${name}", "arguments": {"query": "x"}}]`;
const finish = (args: Record<string, string>) => `Function Call: [{"name": "Finish", "arguments": ${JSON.stringify(args)}}]`;
const tools = [echoTool('f1', () => ({ ok: true, observation: 'r1' })), echoTool('f2', () => ({ ok: true, observation: 'r2' }))];

describe('rollout/dfsdt (ToolLLM DFSDT)', () => {
  it('worked example: A (f1) gives up → back off past A; B (f2, diversity prompt lists f1) answers; 4 queries, A has no second child', async () => {
    // DFS(A1) returns 2 (give-up) → DFS(A) returns 1 → root tries B with the diversity prompt → B → B1 answers.
    const script = ({ text }: { text: string }) =>
      text.includes('"result":"r2"') ? finish({ return_type: 'give_answer', final_answer: 'done' })
      : text.includes('"result":"r1"') ? finish({ return_type: GIVE_UP })
      : text.includes('previous actions') ? call('f2')
      : call('f1');
    const { input, policy } = makeInput(script, { tools, toolFormat: format });
    const [tree] = (await create().rollout(input)).trees;
    expect(policy.emissions).toHaveLength(4);
    const leaves = tree.trajectories;
    expect(leaves.map((t) => t.meta?.answer)).toEqual([GIVE_UP, 'done']);
    expect(leaves.map((t) => t.toolCalls.map((c) => c.name))).toEqual([['f1'], ['f2']]);
    expect(leaves[1].meta).toMatchObject({ dfsdtQueries: 4, dfsdtAnswered: 1 });
    // B's context holds the diversity prompt (untrained) naming A's call and its output.
    const injected = leaves[1].segments.filter((s) => s.source === 'injected');
    expect(injected).toHaveLength(1);
    expect(injected[0].text).toContain('"name":"f1"');
    expect(injected[0].text).toContain('"function_output":"r1"');
    // The two leaves share only the prompt.
    expect(leaves[1].sharedPrefixLength).toBe(leaves[0].segments[0].tokenIds.length);
  });

  it('depth limit 2 with a model that never answers: 2 × 2 cut leaves, 6 queries, every leaf max_turns', async () => {
    // root → c1 → {c2, c3} (cut at depth 2); root → c4 → {c5, c6}: queries c1..c6 = 6.
    const { input, policy } = makeInput(() => call('f1'), { tools, toolFormat: format });
    const [tree] = (await create({ maxDepth: 2 }).rollout(input)).trees;
    expect(policy.emissions).toHaveLength(6);
    expect(tree.trajectories.map((t) => t.finishReason)).toEqual(['max_turns', 'max_turns', 'max_turns', 'max_turns']);
    expect(tree.trajectories.map((t) => t.toolCalls.length)).toEqual([2, 2, 2, 2]);
  });

  it('maxQueries stops the whole search; the chain it was on is a cut leaf', async () => {
    const { input, policy } = makeInput(() => call('f1'), { tools, toolFormat: format });
    const [tree] = (await create({ maxDepth: 10, maxQueries: 3 }).rollout(input)).trees;
    expect(policy.emissions).toHaveLength(3);
    expect(tree.trajectories.map((t) => [t.finishReason, t.toolCalls.length])).toEqual([['max_turns', 3]]);
  });

  it('the diversity prompt lists each earlier child with value 0', () => {
    expect(diversityPrompt([{ name: 'f', args: { q: 1 }, observation: 'o' }])).toContain('{"name":"f","arguments":{"q":1},"function_output":"o","mento-carlo-action-value":0}');
  });
});
