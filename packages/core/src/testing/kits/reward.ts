import type { Trajectory } from '../../data/trajectory';
import type { RewardFunction, RewardInput, RewardOutput } from '../../kinds/data';
import type { Sample } from '../../kinds/tool';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { leakGuard } from '../leaks';
import { check, probe, deepFreeze, describeKit, instantiate, type KitOptions } from './common';

export interface RewardCase {
  name?: string;
  options?: Record<string, unknown>;
  trajectories: Trajectory[];
  samples: Sample[];
  step?: number;
}

export interface RewardKitOptions extends KitOptions {
  /** Default: two samples, three rollouts each (tagged, boxed and missing answers, tool calls, a sub-agent). */
  cases?: RewardCase[];
}

function rollout(id: string, sampleId: string, text: string, extra: Partial<Trajectory> = {}): Trajectory {
  return {
    id,
    sampleId,
    groupId: sampleId,
    rootId: extra.parentId ?? id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: [1, 2, 3], text: 'question' },
      { source: 'policy', role: 'agent', tokenIds: [4, 5], logProbs: [-0.5, -0.5], text: '<tool_call>{"name":"search"}</tool_call>', turn: 0 },
      { source: 'tool', role: 'agent', tokenIds: [6, 7], text: 'result', turn: 0 },
      { source: 'policy', role: 'agent', tokenIds: [8, 9, 10], logProbs: [-0.5, -0.5, -0.5], text, turn: 1 },
    ],
    toolCalls: [{ turn: 0, name: 'search', args: { query: 'x' }, ok: true, observation: 'result', cost: 1 }],
    finishReason: 'stop',
    ...extra,
  };
}

/** Default cases: answers in several forms, a failed tool call, a truncated rollout and a sub-agent. */
export function defaultRewardCases(): RewardCase[] {
  const samples: Sample[] = [
    { id: 'q1', messages: [{ role: 'user', content: 'What is 6 times 7?' }], answer: '42' },
    { id: 'q2', messages: [{ role: 'user', content: 'Half of one?' }], answer: '\\frac{1}{2}' },
  ];
  const trajectories = [
    rollout('q1-0', 'q1', '<answer>42</answer>'),
    rollout('q1-1', 'q1', 'The answer is \\boxed{42}.'),
    rollout('q1-2', 'q1', 'I do not know', { finishReason: 'length' }),
    rollout('q2-0', 'q2', '<answer>1/2</answer>', {
      toolCalls: [{ turn: 0, name: 'search', args: {}, ok: false, error: 'schema', observation: 'bad arguments' }],
    }),
    rollout('q2-0-w', 'q2', 'worker summary', { parentId: 'q2-0', role: 'worker', spawnTurn: 0 }),
    rollout('q2-1', 'q2', '\\boxed{\\frac{1}{2}}'),
  ];
  return [{ name: 'two samples', samples, trajectories }];
}

function inputOf(c: RewardCase, step = c.step ?? 0): RewardInput {
  return deepFreeze({ trajectories: structuredClone(c.trajectories), samples: new Map(structuredClone(c.samples).map((s) => [s.id, s])), step });
}

async function score(def: AnyPluginDefinition, kit: RewardKitOptions, c: RewardCase): Promise<RewardOutput> {
  const instance = instantiate<RewardFunction>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
  try {
    return await instance.score(inputOf(c));
  } finally {
    await instance.dispose?.();
  }
}

/**
 * The behavioural kit of kind `reward`: one score per trajectory (a number, NaN for a failure) and
 * components of the same length; the input (deep-frozen) is not modified; a malformed trajectory or a
 * missing sample gives NaN or a number, never a throw; determinism; state that resumes scoring exactly;
 * no tensor leaks.
 */
export function runRewardKit(def: AnyPluginDefinition, kit: RewardKitOptions = {}): void {
  describeKit(def, 'reward', kit, () => {
    for (const c of kit.cases ?? defaultRewardCases()) {
      describe(c.name ?? 'case', () => {
        check(kit, 'shape', 'one score per trajectory; components of the same length (input deep-frozen)', async () => {
          const out = await score(def, kit, c);
          expect(out.scores).toHaveLength(c.trajectories.length);
          for (const s of out.scores) expect(typeof s).toBe('number');
          if (!out.scores.some(Number.isFinite)) throw new Error(`${def.id}: every score is a failure; give the kit cases this reward can score`);
          for (const [k, values] of Object.entries(out.components ?? {})) expect([k, values.length]).toEqual([k, c.trajectories.length]);
        });

        check(kit, 'bad-input', 'a rollout with no text, no segments or an unknown sample is scored without a throw', async () => {
          const odd: Trajectory[] = [
            { ...rollout('odd-0', c.samples[0].id, ''), segments: [] },
            rollout('odd-1', 'no-such-sample', 'text'),
            { ...rollout('odd-2', c.samples[0].id, ''), toolCalls: [] },
          ];
          const out = await score(def, kit, { ...c, trajectories: [...c.trajectories, ...odd] });
          expect(out.scores).toHaveLength(c.trajectories.length + odd.length);
        });

        check(kit, 'determinism', 'two instances give identical scores', async () => {
          expect(await score(def, kit, c)).toEqual(await score(def, kit, c));
        });

        const probed = probe<RewardFunction>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
        const stateful = typeof probed.state === 'function';
        void probed.dispose?.();
        if (stateful) check(kit, 'resume', 'an instance restored from state scores the next step like the original', async () => {
          const a = instantiate<RewardFunction>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
          const first = await a.score(inputOf(c, 0));
          a.observe?.(inputOf(c, 0), first.scores);
          const b = instantiate<RewardFunction>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
          b.loadState!(JSON.parse(JSON.stringify(a.state!())));
          expect(await b.score(inputOf(c, 1))).toEqual(await a.score(inputOf(c, 1)));
          await a.dispose?.();
          await b.dispose?.();
        });

        check(kit, 'leaks', 'scoring leaves no tensor behind', async () => {
          const leaks = leakGuard();
          await score(def, kit, c);
          leaks.check(def.id);
        });
      });
    }
  });
}
