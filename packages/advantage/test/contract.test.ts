import { describePlugin } from '@tirl/core/testing';
import {
  aspo,
  dcpoSas,
  gae,
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

describePlugin(gae, { valid: { gamma: 0.99, lambda: 0.95 }, invalid: [{ options: { gamma: 1.5 }, field: 'gamma' }, { options: { whiten: 'yes' }, field: 'whiten' }] });
describePlugin(grpo, { valid: { normByStd: false }, invalid: [{ options: { stdKind: 'biased' }, field: 'stdKind' }, { options: { eps: -1 }, field: 'eps' }, { options: { singleton: 'drop' }, field: 'singleton' }] });
describePlugin(rloo, { invalid: [{ options: { singleton: 'x' }, field: 'singleton' }] });
describePlugin(reinforcePlusPlus, { valid: { gamma: 0.9 }, invalid: [{ options: { whitenEps: 0 }, field: 'whitenEps' }] });
describePlugin(reinforcePlusPlusBaseline, { invalid: [{ options: { whitenVariance: 'sample' }, field: 'whitenVariance' }] });
describePlugin(remax, { valid: { baselineKey: 'greedy' }, invalid: [{ options: { baselineKey: '' }, field: 'baselineKey' }] });
describePlugin(opo, { invalid: [] });
describePlugin(passAtK, { invalid: [{ options: { eps: -0.1 }, field: 'eps' }] });
describePlugin(treeGrpo, { valid: { terms: 'intra' }, invalid: [{ options: { terms: 'inter' }, field: 'terms' }] });
describePlugin(portool, { valid: { forkWeight: 0.5 }, invalid: [{ options: { toolBonus: 1 }, field: 'toolBonus' }, { options: { descendant: 'min' }, field: 'descendant' }] });
describePlugin(toolpo, { invalid: [{ options: { actionTokens: 'all' }, field: 'actionTokens' }] });
describePlugin(matpo, { valid: { broadcast: 'parent-row' }, invalid: [{ options: { broadcast: 'tensor' }, field: 'broadcast' }] });
describePlugin(xrpoNovelty, { invalid: [{ options: { kappa: -1 }, field: 'kappa' }] });
describePlugin(dcpoSas, { invalid: [{ options: { stdKind: 'x' }, field: 'stdKind' }] });
describePlugin(hapoTokenGroup, { invalid: [{ options: { fallbackAbove: 0 }, field: 'fallbackAbove' }] });
describePlugin(aspo, { invalid: [{ options: { k: 1.2 }, field: 'k' }] });
describePlugin(riskpoMvar, { invalid: [{ options: { alpha: 0.9, beta: 0.5 }, field: 'beta' }, { options: { bundleSize: 0 }, field: 'bundleSize' }] });

describe('@tirl/advantage plugins list', () => {
  it('lists every definition once, with unique ids', () => {
    const ids = plugins.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(17);
    expect(ids.every((id) => id.startsWith('advantage/') || id.startsWith('advantageTransform/'))).toBe(true);
  });
});
