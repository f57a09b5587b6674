import type { Segment, Trajectory } from '../../data/trajectory';
import type { DecodeOptions } from '../../kinds/policy';
import type { MemoryAction, MemoryContext, MemoryManager } from '../../kinds/rollout';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { ByteTokenizer } from '../../tokenizer/byte';
import { check, clonePlain, deepFreeze, describeKit, instantiate, type KitOptions } from './common';

export interface MemoryKitOptions extends KitOptions {
  /** The trajectory that reached its budget (default: a prompt and three tool turns of a search agent). */
  trajectory?: Trajectory;
  /** Context budget in tokens (default: the trajectory's length + 8, so it is near the budget). */
  budget?: number;
}

const tokenizer = new ByteTokenizer();

function seg(source: Segment['source'], text: string, turn: number): Segment {
  const tokenIds = tokenizer.encode(text);
  return { source, role: 'agent', tokenIds, text, turn, ...(source === 'policy' ? { logProbs: tokenIds.map(() => -0.5) } : {}) };
}

export function defaultMemoryTrajectory(): Trajectory {
  const segments = [
    seg('prompt', '<|system|>\nYou search.\n<|user|>\nFind the capital of France.\n<|assistant|>\n', 0),
    ...[0, 1, 2].flatMap((turn) => [seg('policy', `<search>query ${turn}</search>`, turn), seg('tool', `<result>hit ${turn}: Paris is a city</result>\n`, turn)]),
  ];
  return { id: 'm0', sampleId: 'q', groupId: 'q', rootId: 'm0', role: 'agent', segments, toolCalls: [] };
}

function contextOf(kit: MemoryKitOptions, trigger: 'budget' | 'tag' = 'budget'): MemoryContext {
  const trajectory = deepFreeze(structuredClone(kit.trajectory ?? defaultMemoryTrajectory()));
  const tokens = trajectory.segments.reduce((n, s) => n + s.tokenIds.length, 0);
  const reply = (text: string): Segment => seg('policy', text, 99);
  return {
    trajectory,
    contextTokens: tokens,
    budget: kit.budget ?? tokens + 8,
    tokenizer,
    trigger,
    generate: async (_messages, options: DecodeOptions) => {
      const segment = reply('Summary: Paris.'.slice(0, options.maxNewTokens));
      return { text: segment.text!, segment };
    },
    generateInContext: async (instruction: string, options: DecodeOptions) => {
      const inj = seg('injected', instruction, 99);
      const out = reply('Summary: Paris.'.slice(0, options.maxNewTokens));
      return { text: out.text!, segments: [inj, out] };
    },
  };
}

function tokensOf(segments: readonly Segment[]): number {
  return segments.reduce((n, s) => n + s.tokenIds.length, 0);
}

function expectSegments(label: string, segments: readonly Segment[]): void {
  for (const s of segments) {
    expect(Array.isArray(s.tokenIds)).toBe(true);
    if (s.source === 'policy' && s.logProbs?.length !== s.tokenIds.length) {
      throw new Error(`${label}: a policy segment of ${s.tokenIds.length} tokens has ${s.logProbs?.length ?? 0} log-probs`);
    }
  }
}

/**
 * The behavioural kit of kind `memory`: `triggerFraction` in (0, 1]; `onOverflow` answers `stop` or a
 * `fold` whose context is shorter than the trajectory and whose segments are well formed (policy tokens
 * carry log-probs); the trajectory (deep-frozen) is not modified; determinism.
 */
export function runMemoryKit(def: AnyPluginDefinition, kit: MemoryKitOptions = {}): void {
  const run = async (trigger?: 'budget' | 'tag'): Promise<MemoryAction> =>
    instantiate<MemoryManager>(def, kit.valid ?? {}, kit).onOverflow(contextOf(kit, trigger));
  describeKit(def, 'memory', kit, () => {
    check(kit, 'shape', 'triggerFraction is in (0, 1]; a fold frees room and its segments are well formed', async () => {
      const memory = instantiate<MemoryManager>(def, kit.valid ?? {}, kit);
      expect(memory.triggerFraction > 0 && memory.triggerFraction <= 1).toBe(true);
      if (memory.foldTag !== undefined) expect(memory.foldTag.length).toBeGreaterThan(0);
      const ctx = contextOf(kit);
      const action = await memory.onOverflow(ctx);
      expect(['stop', 'fold']).toContain(action.kind);
      if (action.kind === 'fold') {
        expectSegments(`${def.id} fold context`, action.context);
        expectSegments(`${def.id} fold segments`, action.foldSegments ?? []);
        expect(tokensOf(action.context)).toBeLessThan(ctx.contextTokens);
      }
    });

    check(kit, 'mutation', 'the trajectory is not modified (it is deep-frozen)', async () => {
      const before = clonePlain(kit.trajectory ?? defaultMemoryTrajectory());
      await run();
      expect(kit.trajectory ?? defaultMemoryTrajectory()).toEqual(before);
    });

    check(kit, 'determinism', 'two instances answer the same context identically', async () => {
      expect(await run()).toEqual(await run());
    });
  });
}
