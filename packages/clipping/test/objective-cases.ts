import * as path from 'node:path';
import { bapo, cispo, clipCov, dcpo, gmpo, gspo, hapo, klCov, ppoClip, reinforce, sapo } from '../src';

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.json`);

/** Every objective with its fixture file and option values its schema must reject. */
export const objectiveFixtures = [
  { def: ppoClip, file: fixture('ppo-clip'), invalid: [{ options: { epsLow: -0.1 }, field: 'epsLow' }, { options: { dualClipC: 0.5 }, field: 'dualClipC' }, { options: { rolloutCorrection: { mode: 'token-mask', min: 4, max: 3 } }, field: 'rolloutCorrection.max' }] },
  { def: gspo, file: fixture('gspo'), invalid: [{ options: { ratioForm: 'seq' }, field: 'ratioForm' }] },
  { def: gmpo, file: fixture('gmpo'), invalid: [{ options: { epsHigh: 0 }, field: 'epsHigh' }] },
  { def: cispo, file: fixture('cispo'), invalid: [{ options: { epsHigh: -1 }, field: 'epsHigh' }] },
  { def: sapo, file: fixture('sapo'), invalid: [{ options: { tauNeg: 0 }, field: 'tauNeg' }] },
  { def: bapo, file: fixture('bapo'), invalid: [{ options: { highStart: 3.5 }, field: 'highStart' }, { options: { targetShare: 1 }, field: 'targetShare' }, { options: { lowMax: 1.1 }, field: 'lowMax' }] },
  { def: dcpo, file: fixture('dcpo'), invalid: [{ options: { epsLow: 'x' }, field: 'epsLow' }] },
  { def: clipCov, file: fixture('clip-cov'), invalid: [{ options: { lowerBound: 5, upperBound: 1 }, field: 'upperBound' }] },
  { def: klCov, file: fixture('kl-cov'), invalid: [{ options: { ratio: 2 }, field: 'ratio' }] },
  { def: hapo, file: fixture('hapo'), invalid: [{ options: { entropyPivot: 1.5 }, field: 'entropyPivot' }] },
  { def: reinforce, file: fixture('reinforce'), invalid: [{ options: { importanceSampling: 'yes' }, field: 'importanceSampling' }] },
];
