import type { FinishReason, Trajectory } from '../../data/trajectory';
import type { FilterOutput, GroupFilter, TrajectoryGroup } from '../../kinds/data';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { leakGuard } from '../leaks';
import { check, probe, deepFreeze, describeKit, expectMetricKeys, instantiate, type KitOptions } from './common';

export interface FilterCase {
  name?: string;
  options?: Record<string, unknown>;
  groups: TrajectoryGroup[];
  step?: number;
  targetGroups?: number;
}

export interface FilterKitOptions extends KitOptions {
  /** Default: four groups of four (mixed rewards, all correct, all wrong, truncated and failed rollouts). */
  cases?: FilterCase[];
}

function rollout(id: string, sampleId: string, reward: number, finishReason: FinishReason = 'stop', extra: Partial<Trajectory> = {}): Trajectory {
  return {
    id,
    sampleId,
    groupId: sampleId,
    rootId: id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: [1, 2] },
      { source: 'policy', role: 'agent', tokenIds: [3, 4, 5], logProbs: [-0.5, -1, -1.5], text: 'answer', turn: 0 },
    ],
    toolCalls: [],
    reward,
    finishReason,
    ...extra,
  };
}

export function defaultFilterCases(): FilterCase[] {
  const group = (id: string, rewards: number[], finish: FinishReason[] = []) => ({
    sampleId: id,
    trajectories: rewards.map((r, i) => rollout(`${id}-${i}`, id, r, finish[i])),
  });
  return [
    {
      name: 'four groups',
      groups: [
        group('mixed', [1, 0, 0.5, 0]),
        group('solved', [1, 1, 1, 1]),
        group('failed', [0, 0, 0, 0], ['stop', 'error', 'stop', 'stop']),
        group('long', [1, 0, 1, 0], ['length', 'stop', 'max_turns', 'stop']),
      ],
      targetGroups: 2,
    },
  ];
}

function run(def: AnyPluginDefinition, kit: FilterKitOptions, c: FilterCase, instance?: GroupFilter): FilterOutput {
  const filter = instance ?? instantiate<GroupFilter>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
  const groups = deepFreeze(structuredClone(c.groups));
  return filter.filter({ groups, step: c.step ?? 0, targetGroups: c.targetGroups ?? c.groups.length });
}

/**
 * The behavioural kit of kind `filter`: every kept group and trajectory comes from the input (which is
 * deep-frozen and must not be modified), sample ids stay with their groups, metrics are finite and
 * named `<kind>/<name>/<metric>`; determinism under a seed; an instance restored from state filters
 * the next step like the original; no tensor leaks.
 */
export function runFilterKit(def: AnyPluginDefinition, kit: FilterKitOptions = {}): void {
  describeKit(def, 'filter', kit, () => {
    for (const c of kit.cases ?? defaultFilterCases()) {
      describe(c.name ?? 'case', () => {
        check(kit, 'shape', 'kept groups and trajectories come from the input; the frozen input is not modified', () => {
          const out = run(def, kit, c);
          const known = new Map(c.groups.flatMap((g) => g.trajectories.map((t) => [t.id, g.sampleId] as const)));
          for (const g of out.groups) {
            for (const t of g.trajectories) {
              expect([t.id, known.get(t.id)]).toEqual([t.id, g.sampleId]);
              expect(t.sampleId).toBe(g.sampleId);
            }
          }
          for (const [k, v] of Object.entries(out.metrics ?? {})) expect([k, Number.isFinite(v)]).toEqual([k, true]);
        });

        check(kit, 'metric-keys', 'metric keys are <kind>/<name>/<metric>', () => {
          expectMetricKeys(def, Object.keys(run(def, kit, c).metrics ?? {}));
        });

        check(kit, 'determinism', 'two instances with the same seed keep the same trajectories', () => {
          expect(run(def, kit, c)).toEqual(run(def, kit, c));
        });

        if (typeof probe<GroupFilter>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit).state === 'function') {
          check(kit, 'resume', 'an instance restored from state filters the next step like the original', () => {
            const a = instantiate<GroupFilter>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
            run(def, kit, c, a);
            const b = instantiate<GroupFilter>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
            b.loadState!(JSON.parse(JSON.stringify(a.state!())));
            expect(run(def, kit, { ...c, step: 1 }, b)).toEqual(run(def, kit, { ...c, step: 1 }, a));
          });
        }

        check(kit, 'leaks', 'filtering leaves no tensor behind', () => {
          const leaks = leakGuard();
          run(def, kit, c);
          leaks.check(def.id);
        });
      });
    }
  });
}
