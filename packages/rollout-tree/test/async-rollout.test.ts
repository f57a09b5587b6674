import { runRolloutKit } from '@tirl/core/testing';
import type { RolloutInput, Trajectory } from '@tirl/core';
import { asyncRollout, linearRollout } from '../src';
import { call, echoTool, engineDefaults, limits, makeInput } from './helpers';

runRolloutKit(asyncRollout, { invalid: [{ options: { maxSpawnDepth: -1 }, field: 'maxSpawnDepth' }, { options: { schedule: 'turn' }, field: 'schedule' }] });

const turnSync = () => linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);
const trajectoryAsync = () => asyncRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);

/** Rollout 0 of the group searches once, the others three times, then each answers. */
const script = ({ text, rowTurn }: { text: string; rowTurn: number }) => {
  const calls = text.includes('slow') ? 1 : 3;
  return rowTurn < calls ? call('search', { query: text.includes('slow') ? 'slow' : `fast${rowTurn}` }) : `done after ${rowTurn}`;
};

/**
 * A search tool whose "slow" query returns only once four fast calls have started or 300 ms have passed;
 * every other query returns at once. It records how many fast calls started while a slow call was running.
 */
function gatedTool() {
  let slowInFlight = 0;
  let fastStarted = 0;
  let overlapping = 0;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const tool = echoTool('search', async (q) => {
    if (q === 'slow') {
      slowInFlight++;
      await Promise.race([gate, new Promise((r) => setTimeout(r, 300))]);
      slowInFlight--;
      return { ok: true, observation: 'slow result' };
    }
    fastStarted++;
    if (slowInFlight > 0) overlapping++;
    if (fastStarted >= 4) open();
    return { ok: true, observation: `result for ${q}` };
  });
  return { tool, overlapping: () => overlapping };
}

/** Two samples: rollouts of the "slow" one make one slow call, those of the "fast" one three fast calls. */
function input(tool: ReturnType<typeof gatedTool>['tool']): RolloutInput {
  const { input } = makeInput(script as never, { tools: [tool], limits: limits({ maxTurns: 5 }) }, { logProb: 'seeded' });
  return {
    ...input,
    samples: [
      { sample: { id: 'slow', messages: [{ role: 'user', content: 'slow question' }] }, rollouts: 1 },
      { sample: { id: 'fast', messages: [{ role: 'user', content: 'quick question' }] }, rollouts: 2 },
    ],
  };
}

const view = (t: Trajectory) => ({ id: t.id, segments: t.segments.map((s) => [s.source, s.tokenIds, s.logProbs ?? []]), calls: t.toolCalls.map((c) => [c.name, c.args, c.observation]), finish: t.finishReason });

describe('rollout/async (VerlTool trajectory-level asynchrony)', () => {
  it('lets fast rollouts take their next turns while a slow tool call is still running', async () => {
    // Turn-synchronous: turn 1 runs the slow call together with the first call of each fast rollout (2 calls
    // overlap); the fast rollouts' turn-2 calls start only after the slow call returned (300 ms), so 2.
    const sync = gatedTool();
    await turnSync().rollout(input(sync.tool));
    expect(sync.overlapping()).toBe(2);
    // Asynchronous: the fast rollouts take turn 2 while the slow call waits: fast calls 1-4 (turns 1 and 2 of
    // both) start during it and the 4th opens the gate; calls 5-6 come a generate later, after it returned: 4.
    const asyncRun = gatedTool();
    await trajectoryAsync().rollout(input(asyncRun.tool));
    expect(asyncRun.overlapping()).toBe(4);
  });

  it('samples exactly what the turn-synchronous schedule samples (seeded log-probs)', async () => {
    const a = await turnSync().rollout(input(gatedTool().tool));
    const b = await trajectoryAsync().rollout(input(gatedTool().tool));
    const ta = a.trees.flatMap((t) => t.trajectories).map(view);
    const tb = b.trees.flatMap((t) => t.trajectories).map(view);
    expect(tb).toEqual(ta);
    // The fast rollouts ran 3 calls each and answered on the 4th turn; the slow one answered on its 2nd.
    expect(ta.map((t) => t.calls.length)).toEqual([1, 3, 3]);
    // Seeded log-probs differ between the two fast rollouts, so the equality above compares real draws.
    expect(ta[1].segments.find((s) => s[0] === 'policy')![2]).not.toEqual(ta[2].segments.find((s) => s[0] === 'policy')![2]);
  });
});
