import type { Trajectory } from '../../data/trajectory';
import type { PolicySession } from '../../kinds/policy';
import type { RolloutInput, RolloutOutput, RolloutStrategy } from '../../kinds/rollout';
import type { Sample } from '../../kinds/tool';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { Rng } from '../../random/rng';
import { ScriptedPolicy, type Script } from '../scripted-policy';
import { leakGuard } from '../leaks';
import { check, deepFreeze, describeKit, instantiate, type KitOptions } from './common';
import { echoTool, kitCall, kitToolFormat } from './doubles';

export interface RolloutKitOptions extends KitOptions {
  /** Rollouts asked per sample (default 2, over two samples). */
  rollouts?: number;
  /** True (default) when every sample must come back with exactly `rollouts` root trajectories. */
  exactRollouts?: boolean;
  /** Changes to the kit's input (tool format, tools, limits, memory, router ...). */
  input?: Partial<RolloutInput>;
  /** The policy's script (default: an echo call, a call to an unknown tool, then an answer). */
  script?: Script;
}

/** Turn 0 calls `echo`, turn 1 calls a tool that does not exist and writes a broken call, turn 2 answers. */
export const defaultRolloutScript: Script = ({ rowTurn, row }) => {
  if (rowTurn === 0) return kitCall('echo', { text: `row ${row}` });
  if (rowTurn === 1) return `<call>not json</call>${kitCall('missing_tool', {})}`;
  return `The answer is ${row % 3}.`;
};

const samples = (): Sample[] => [
  { id: 'q1', messages: [{ role: 'user', content: 'First question?' }], answer: '1' },
  { id: 'q2', messages: [{ role: 'user', content: 'Second question?' }], answer: '2' },
];

interface Run {
  output: RolloutOutput;
  policy: ScriptedPolicy;
  openRows: number;
}

async function run(def: AnyPluginDefinition, kit: RolloutKitOptions, seed = 3): Promise<Run> {
  const policy = new ScriptedPolicy({ script: kit.script ?? defaultRolloutScript, logProb: 'seeded', maxContext: 2048 });
  const sessions: PolicySession[] = [];
  const start = policy.startSession.bind(policy);
  policy.startSession = () => {
    const s = start();
    const dispose = s.dispose.bind(s);
    s.dispose = () => {
      dispose();
      sessions.splice(sessions.indexOf(s), 1);
    };
    sessions.push(s);
    return s;
  };
  const input: RolloutInput = {
    samples: deepFreeze(samples().map((sample) => ({ sample, rollouts: kit.rollouts ?? 2 }))),
    policy,
    tools: [echoTool()],
    toolFormat: kitToolFormat,
    decode: { maxNewTokens: 64, temperature: 1 },
    limits: { maxTurns: 4, maxTotalTokens: 1500, maxToolCalls: 6, toolTimeoutMs: 5000, concurrency: 2 },
    rng: new Rng(seed),
    step: 0,
    ...kit.input,
  };
  const strategy = instantiate<RolloutStrategy>(def, kit.valid ?? {}, kit);
  const output = await strategy.rollout(input);
  const openRows = sessions.reduce((n, s) => n + ((s as unknown as { liveRows?: number }).liveRows ?? 0), 0);
  return { output, policy, openRows };
}

function isPiece(haystack: readonly number[], needle: readonly number[]): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const tokenView = (t: Trajectory) => ({ id: t.id, parent: t.parentId, tokens: t.segments.map((s) => [s.source, s.tokenIds]) });

/**
 * The behavioural kit of kind `rollout`, on a scripted policy: one tree per sample with the asked
 * rollouts; well-formed segments (policy tokens carry log-probs, other tokens none); token-in/token-out
 * (every trained token is exactly a token the policy emitted, with its log-prob); bad and unknown tool
 * calls recorded as failed calls, not thrown; every policy row released; samples (deep-frozen) not
 * modified; determinism under a seed; no tensor leaks.
 */
export function runRolloutKit(def: AnyPluginDefinition, kit: RolloutKitOptions = {}): void {
  describeKit(def, 'rollout', kit, () => {
    check(kit, 'shape', 'one tree per sample with the asked rollouts and well-formed segments', async () => {
      const { output } = await run(def, kit);
      const bySample = new Map<string, number>();
      // Groups a strategy adds beyond those asked (RolloutOutput.samples) answer the samples it hands back.
      const added = new Set((output.samples ?? []).map((s) => s.id));
      for (const tree of output.trees) {
        expect(['q1', 'q2', ...added]).toContain(tree.sampleId);
        const roots = tree.trajectories.filter((t) => t.parentId === undefined);
        if (!added.has(tree.sampleId)) bySample.set(tree.sampleId, (bySample.get(tree.sampleId) ?? 0) + roots.length);
        for (const t of tree.trajectories) {
          expect(t.sampleId).toBe(tree.sampleId);
          for (const s of t.segments) {
            if (s.source === 'policy') expect([t.id, s.logProbs?.length]).toEqual([t.id, s.tokenIds.length]);
            else expect([t.id, s.source, s.logProbs]).toEqual([t.id, s.source, undefined]);
          }
        }
      }
      expect([...bySample.keys()].sort()).toEqual(['q1', 'q2']);
      if (kit.exactRollouts ?? true) for (const n of bySample.values()) expect(n).toBe(kit.rollouts ?? 2);
      for (const v of Object.values(output.metrics ?? {})) expect(Number.isFinite(v)).toBe(true);
    });

    check(kit, 'shape', 'token-in/token-out: every policy token and log-prob is one the policy emitted', async () => {
      const { output, policy } = await run(def, kit);
      for (const t of output.trees.flatMap((tree) => tree.trajectories)) {
        for (const s of t.segments.filter((x) => x.source === 'policy')) {
          const from = policy.emissions.find((e) => isPiece(e.tokenIds, s.tokenIds) && isPiece(e.logProbs, s.logProbs ?? []));
          if (!from) throw new Error(`${def.id}: trajectory ${t.id} has policy tokens the policy never emitted: [${s.tokenIds.slice(0, 12).join(', ')}...]`);
        }
      }
    });

    if (!kit.script) {
      check(kit, 'bad-input', 'an unparsable call and an unknown tool are failed calls in the record, not throws', async () => {
        const { output } = await run(def, kit);
        const calls = output.trees.flatMap((tree) => tree.trajectories.flatMap((t) => t.toolCalls));
        expect(calls.some((c) => c.name === 'echo' && c.ok)).toBe(true);
        expect(calls.some((c) => !c.ok)).toBe(true);
      });
    }

    check(kit, 'leaks', 'every policy row is released and no tensor is left behind', async () => {
      const leaks = leakGuard();
      const { openRows } = await run(def, kit);
      expect(openRows).toBe(0);
      leaks.check(def.id);
    });

    check(kit, 'determinism', 'two runs with the same seed give the same trajectories', async () => {
      const a = (await run(def, kit)).output.trees.flatMap((t) => t.trajectories.map(tokenView));
      const b = (await run(def, kit)).output.trees.flatMap((t) => t.trajectories.map(tokenView));
      expect(a).toEqual(b);
    });
  });
}
