import type { Trajectory } from '@tirl/core';
import { defaultAdvantageCases, makeTrajectory, runAdvantageKit, runAdvantageTransformKit, type AdvantageCase } from '@tirl/core/testing';
import {
  arpoHard,
  aspo,
  dcpoSas,
  egae,
  gae,
  gpg,
  grpo,
  hapoTokenGroup,
  matpo,
  opo,
  passAtK,
  plugins,
  portool,
  reinforcePlusPlus,
  reinforcePlusPlusBaseline,
  remax,
  riskpoMvar,
  rloo,
  toolpo,
  treeGrpo,
  xrpoNovelty,
} from '../src';

/** The kit's default rollouts with `extra(t, i)` merged into each trajectory. */
function casesWith(extra: (t: Trajectory, i: number) => Partial<Trajectory>): AdvantageCase[] {
  return defaultAdvantageCases().map((c) => ({ ...c, trajectories: c.trajectories.map((t, i) => ({ ...t, ...extra(t, i) })) }));
}

/** Two MATPO rollouts: planner roots with one worker each (the worker follows its root). */
function matpoCases(): AdvantageCase[] {
  const planner = (id: string, reward: number) => makeTrajectory({ id, groupId: 'q', role: 'planner', reward, segments: [['prompt', 2], ['policy', 3], ['tool', 2], ['policy', 2]] });
  const worker = (id: string, parentId: string) => ({
    ...makeTrajectory({ id, groupId: `q:${parentId}`, parentId, role: 'worker', segments: [['prompt', 3], ['policy', 2], ['tool', 1], ['policy', 1]] }),
    spawnTurn: 1,
  });
  const trajectories = [planner('p0', 1), worker('w0', 'p0'), planner('p1', 0), worker('w1', 'p1')];
  return [{ name: 'planners with workers', trajectories: trajectories.map((t) => ({ ...t, sampleId: 'q' })) }];
}

runAdvantageKit(gae, { valid: { gamma: 0.99, lambda: 0.95 }, invalid: [{ options: { gamma: 1.5 }, field: 'gamma' }, { options: { whiten: 'yes' }, field: 'whiten' }] });
runAdvantageKit(grpo, { valid: { normByStd: false }, invalid: [{ options: { stdKind: 'biased' }, field: 'stdKind' }, { options: { eps: -1 }, field: 'eps' }, { options: { singleton: 'drop' }, field: 'singleton' }] });
runAdvantageKit(rloo, { invalid: [{ options: { singleton: 'x' }, field: 'singleton' }] });
runAdvantageKit(reinforcePlusPlus, { valid: { gamma: 0.9 }, invalid: [{ options: { whitenEps: 0 }, field: 'whitenEps' }] });
runAdvantageKit(reinforcePlusPlusBaseline, { invalid: [{ options: { whitenVariance: 'sample' }, field: 'whitenVariance' }] });
runAdvantageKit(remax, {
  valid: { baselineKey: 'greedy' },
  cases: casesWith((_t, i) => ({ meta: { greedy: i % 2 === 0 ? 0.5 : 0 } })),
  invalid: [{ options: { baselineKey: '' }, field: 'baselineKey' }],
});
runAdvantageKit(egae, {
  valid: { gamma: 0.99, lambda: 0.95 },
  cases: casesWith((_t, i) => (i % 2 === 0 ? { meta: { windowTruncated: true } } : {})),
  invalid: [{ options: { unfinished: 'never' }, field: 'unfinished' }, { options: { valueOn: 'none' }, field: 'valueOn' }],
});
runAdvantageKit(opo, { invalid: [] });
runAdvantageKit(gpg, { valid: { fNorm: 'std' }, invalid: [{ options: { alpha: 'batch' }, field: 'alpha' }, { options: { eps: -1 }, field: 'eps' }] });
runAdvantageKit(passAtK, { invalid: [{ options: { eps: -0.1 }, field: 'eps' }] });
runAdvantageKit(treeGrpo, { valid: { terms: 'intra' }, invalid: [{ options: { terms: 'inter' }, field: 'terms' }] });
runAdvantageKit(portool, { valid: { forkWeight: 0.5 }, invalid: [{ options: { toolBonus: 1 }, field: 'toolBonus' }, { options: { descendant: 'min' }, field: 'descendant' }] });
runAdvantageKit(toolpo, {
  cases: casesWith((_t, i) => ({ rewardComponents: { 'reward/tool-format': i % 3 === 0 ? 1 : 0 } })),
  invalid: [{ options: { actionTokens: 'all' }, field: 'actionTokens' }],
});
runAdvantageKit(matpo, { cases: [...defaultAdvantageCases(), ...matpoCases()], invalid: [{ options: { broadcast: 'tensor' }, field: 'broadcast' }] });
runAdvantageKit(matpo, { cases: matpoCases(), valid: { broadcast: 'parent-row' } });
runAdvantageTransformKit(xrpoNovelty, { invalid: [{ options: { kappa: -1 }, field: 'kappa' }] });
runAdvantageTransformKit(dcpoSas, { invalid: [{ options: { stdKind: 'x' }, field: 'stdKind' }] });
runAdvantageTransformKit(hapoTokenGroup, { invalid: [{ options: { fallbackAbove: 0 }, field: 'fallbackAbove' }] });
runAdvantageTransformKit(arpoHard, { invalid: [{ options: { form: 'soft' }, field: 'form' }] });
runAdvantageTransformKit(aspo, { invalid: [{ options: { k: 1.2 }, field: 'k' }] });
runAdvantageTransformKit(riskpoMvar, { invalid: [{ options: { alpha: 0.9, beta: 0.5 }, field: 'beta' }, { options: { bundleSize: 0 }, field: 'bundleSize' }] });

describe('@tirl/advantage plugins list', () => {
  it('lists every definition once, with unique ids', () => {
    const ids = plugins.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(20);
    expect(ids.every((id) => id.startsWith('advantage/') || id.startsWith('advantageTransform/'))).toBe(true);
  });
});
