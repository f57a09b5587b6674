import { runToolFormatKit } from '@tirl/core/testing';
import { dagLevels, GIVE_UP, linearRollout, ParallelCallsFormat, parallelCallsFormat } from '../src';
import { echoTool, engineDefaults, makeInput } from './helpers';

runToolFormatKit(parallelCallsFormat, {
  cases: [
    {
      text: 'Thought: two lookups\nFunction Call: [{"name": "search", "arguments": {"query": "a"}}, {"name": "search", "arguments": {"query": "b"}}]',
      calls: [
        { name: 'search', args: { query: 'a' } },
        { name: 'search', args: { query: 'b' } },
      ],
    },
    { text: 'Thought: done\nFunction Call: [{"name": "Finish", "arguments": {"return_type": "give_answer", "final_answer": "4"}}]', answer: '4' },
    { text: 'Function Call: [{"name": "search", "arguments": {"query": "a"}', errors: 1 },
  ],
  invalid: [{ options: { callPrefix: '' }, field: 'callPrefix' }],
});

const format = () => new ParallelCallsFormat({ callPrefix: 'Function Call:', finishName: 'Finish', stopString: '\nObservation:' });

describe('toolFormat/parallel-calls (Divide-Then-Aggregate)', () => {
  it('normalises any name containing Finish and reads a give-up as the give-up answer', () => {
    expect(format().parse('Function Call: [{"name": "Finish_tool", "arguments": {"return_type": "give_answer", "final_answer": "Paris"}}]').answer).toBe('Paris');
    expect(format().parse('Function Call: [{"name": "Finish", "arguments": "{\\"return_type\\": \\"give_up_and_restart\\"}"}]').answer).toBe(GIVE_UP);
  });

  it('worked example: DAG "1->2,1->3,2->4,3->4" → levels [[1], [2, 3], [4]] (three turns, the second with two calls)', () => {
    expect(dagLevels('1->2,1->3,2->4,3->4')).toEqual([[1], [2, 3], [4]]);
    expect(dagLevels('1->2', [3])).toEqual([[1, 3], [2]]);
    expect(() => dagLevels('1->2,2->1')).toThrow(/cycle/);
    expect(() => dagLevels('1-2')).toThrow(/"1-2" is not an edge/);
  });

  it('runs a turn\'s calls concurrently and shows results in call order, not completion order', async () => {
    // Call 2 ("slow") takes 60 ms, call 3 ("fast") 5 ms: 3 finishes first, the observation still lists 2 then 3.
    const finished: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const tool = echoTool('search', async (q) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, q === 'slow' ? 60 : 5));
      inFlight--;
      finished.push(q);
      return { ok: true, observation: `r-${q}` };
    });
    const turns = [
      'Thought: both at once\nFunction Call: [{"name": "search", "arguments": {"query": "slow"}}, {"name": "search", "arguments": {"query": "fast"}}]',
      'Function Call: [{"name": "Finish", "arguments": {"return_type": "give_answer", "final_answer": "done"}}]',
    ];
    const { input } = makeInput(({ rowTurn }) => turns[rowTurn], { tools: [tool], toolFormat: format() });
    const linear = linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);
    const [t] = (await linear.rollout(input)).trees[0].trajectories;
    expect(finished).toEqual(['fast', 'slow']);
    expect(maxInFlight).toBe(2);
    expect(t.toolCalls.map((c) => c.observation)).toEqual(['r-slow', 'r-fast']);
    const observation = t.segments.filter((s) => s.source === 'tool').map((s) => s.text).join('');
    expect(observation).toBe('\nFunction: {"name":"search","result":"r-slow"}\nFunction: {"name":"search","result":"r-fast"}\n');
    expect(t.meta?.answer).toBe('done');
  });
});
