import type { AgentRouter, AnyPluginDefinition, ToolFormat } from '@tirl/core';
import type { Script } from '@tirl/core/testing';
import { matpoRouter } from '../src';
import { callText, create, echoTool, load, scriptedRollout } from './helpers';

const { hermesFormat } = load<{ hermesFormat: AnyPluginDefinition }>('@tirl/rollout-tree');
const DELEGATE = callText('delegate', { subtask: 'Find the capital of France.' });

describe('MATPO worker cut by a limit: the summary turn runs in a reserved budget', () => {
  // The worker writes 300 tokens (byte tokenizer) without ending; every agent may produce 200 response tokens.
  const script: Script = ({ text, rowTurn }) => {
    if (text.includes('Cut. Report.')) return 'SUMMARY';
    if (text.includes('You are a worker agent')) return { text: 'x'.repeat(300), eos: false };
    return rowTurn === 0 ? DELEGATE : '\\boxed{Paris}';
  };
  const run = (summaryReserve: number) =>
    scriptedRollout(script, {
      router: create<AgentRouter>(matpoRouter, { forceSummary: false, failedPrompt: 'Cut. Report.', summaryReserve }),
      rollouts: 1,
      limits: { maxTurns: 4, maxTotalTokens: 200, maxToolCalls: 8, toolTimeoutMs: 2000, concurrency: 4 },
    });

  it('with a reserve of 100 the worker stops at 100 tokens, gets the failed-task prompt and hands back its summary', async () => {
    const { output } = await run(100);
    const [planner, worker] = output.trees[0].trajectories;
    const policy = worker.segments.filter((s) => s.source === 'policy');
    // Turn 1: min(maxNewTokens 200, 200 − 0 − reserve 100) = 100 tokens, cut → max_tokens; then the summary turn.
    expect(policy.map((s) => s.tokenIds.length)).toEqual([100, 'SUMMARY'.length + 1]);
    // The byte tokenizer's chat format: <|user|>content<|eos|>, then the generation prompt <|assistant|>.
    expect(worker.segments.find((s) => s.source === 'injected')!.text).toBe('<|user|>Cut. Report.<|eos|><|assistant|>');
    expect(worker.finishReason).toBe('max_tokens');
    expect(planner.toolCalls[0]).toMatchObject({ ok: true, observation: 'SUMMARY', childId: worker.id });
  });

  it('without a reserve the cut worker has no room left for a summary and the planner is told it did not finish', async () => {
    const { output } = await run(0);
    const [planner, worker] = output.trees[0].trajectories;
    expect(worker.segments.filter((s) => s.source === 'policy').map((s) => s.tokenIds.length)).toEqual([200]);
    expect(worker.segments.some((s) => s.source === 'injected')).toBe(false);
    expect(planner.toolCalls[0]).toMatchObject({ ok: false, error: 'worker' });
  });
});

describe('several calls in one planner turn', () => {
  const script: Script = ({ text, rowTurn }) => {
    if (text.includes('Your subtask:\nalpha')) return 'ALPHA';
    if (text.includes('Your subtask:\nbeta')) return 'BETA';
    return rowTurn === 0 ? callText('delegate', { subtask: 'alpha' }) + callText('search', { query: 'q' }) + callText('delegate', { subtask: 'beta' }) : '\\boxed{x}';
  };
  const run = (engine: Record<string, unknown>, format: Record<string, unknown>) =>
    scriptedRollout(script, {
      router: create<AgentRouter>(matpoRouter, { forceSummary: false, plannerTools: ['search'], workerTools: [] }),
      rollouts: 1,
      tools: [echoTool()],
      toolFormat: create<ToolFormat>(hermesFormat, { stopAfterCall: false, ...format }),
      decode: { maxNewTokens: 400 },
      engine,
    });

  it('runs all three; `after-tools` puts the ordinary tool result before the worker results (released code), `call-order` keeps call order', async () => {
    const observation = async (subAgentResults: string) => {
      const { output } = await run({ subAgentResults }, {});
      const planner = output.trees[0].trajectories[0];
      expect(planner.toolCalls.map((c) => c.name)).toEqual(['delegate', 'search', 'delegate']);
      return planner.segments.find((s) => s.source === 'tool')!.text!;
    };
    const block = (s: string) => `<tool_response>\n${s}\n</tool_response>`;
    expect(await observation('after-tools')).toBe(`\n${block('result for q')}\n${block('ALPHA')}\n${block('BETA')}\n`);
    expect(await observation('call-order')).toBe(`\n${block('ALPHA')}\n${block('result for q')}\n${block('BETA')}\n`);
  });

  it("with `observations: 'messages'` each result is a message of the chat template after the closed assistant turn", async () => {
    const { output } = await run({ subAgentResults: 'after-tools' }, { observations: 'messages', observationRole: 'tool' });
    const planner = output.trees[0].trajectories[0];
    const turn = planner.segments.find((s) => s.source === 'policy')!;
    // The turn ended with EOS (258, <|eos|>), which is also how the byte tokenizer's chat format closes an
    // assistant message; then each result renders as `<|tool|>{content}<|eos|>` and the generation prompt as `<|assistant|>`.
    expect(turn.tokenIds.at(-1)).toBe(258);
    expect(planner.segments.find((s) => s.source === 'tool')!.text).toBe('<|tool|>result for q<|eos|><|tool|>ALPHA<|eos|><|tool|>BETA<|eos|><|assistant|>');
  });
});
