/**
 * Rollout throughput with a tool that sleeps 100 ms: calls of the whole batch run concurrently
 * versus one at a time (concurrency 1). Run: npx tsx packages/rollout-tree/bench/concurrency.ts
 */
import 'reflect-metadata';
import { Rng, type RolloutInput, type Tool } from '@tirl/core';
import { ScriptedPolicy } from '@tirl/core/testing';
import { HermesFormat, linearRollout } from '../src';

const ROLLOUTS = 16;
const CALLS_PER_ROLLOUT = 3;

const sleepTool: Tool = {
  name: 'search',
  description: 'sleeps 100 ms',
  parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  call: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, observation: 'done' }), 100)),
};

async function run(concurrency: number): Promise<{ seconds: number; trajectories: number; calls: number }> {
  const policy = new ScriptedPolicy({
    script: ({ rowTurn }) => (rowTurn < CALLS_PER_ROLLOUT ? `<tool_call>{"name":"search","arguments":{"query":"q${rowTurn}"}}</tool_call>` : 'answer'),
  });
  const input: RolloutInput = {
    samples: [{ sample: { id: 'bench', messages: [{ role: 'user', content: 'go' }] }, rollouts: ROLLOUTS }],
    policy,
    tools: [sleepTool],
    toolFormat: new HermesFormat({ stopAfterCall: true, observationPrefix: '\n', observationSuffix: '\n' }),
    decode: { maxNewTokens: 256 },
    limits: { maxTurns: 10, maxTotalTokens: 10000, maxToolCalls: 10, toolTimeoutMs: 5000, concurrency },
    rng: new Rng(0),
    step: 0,
  };
  const strategy = linearRollout.create({ budgetLine: false, maxSpawnDepth: 2, entropyTokens: 20, countSharedOnce: true }, {} as never);
  const start = process.hrtime.bigint();
  const out = await strategy.rollout(input);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, trajectories: out.trees[0].trajectories.length, calls: out.metrics!['rollout/tool_calls'] };
}

async function main() {
  const concurrent = await run(64);
  const serial = await run(1);
  const line = (name: string, r: typeof concurrent) =>
    `${name.padEnd(14)} ${r.trajectories} rollouts, ${r.calls} calls in ${r.seconds.toFixed(2)} s = ${(r.trajectories / r.seconds).toFixed(2)} rollouts/s`;
  console.log(`tool sleeps 100 ms; ${ROLLOUTS} rollouts x ${CALLS_PER_ROLLOUT} calls`);
  console.log(line('concurrent', concurrent));
  console.log(line('one-at-a-time', serial));
  console.log(`speed-up: ${(serial.seconds / concurrent.seconds).toFixed(1)}x`);
}

void main();
