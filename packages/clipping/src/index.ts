import type { AnyPluginDefinition } from '@tirl/core';
import { rootNormalised } from './aggregations/root-normalised';
import { seqMeanTokenMean } from './aggregations/seq-mean-token-mean';
import { seqMeanTokenSum } from './aggregations/seq-mean-token-sum';
import { seqMeanTokenSumNorm } from './aggregations/seq-mean-token-sum-norm';
import { tokenMean } from './aggregations/token-mean';
import { bapo } from './objectives/bapo';
import { cispo } from './objectives/cispo';
import { clipCov } from './objectives/clip-cov';
import { dcpo } from './objectives/dcpo';
import { gmpo } from './objectives/gmpo';
import { gspo } from './objectives/gspo';
import { hapo } from './objectives/hapo';
import { klCov } from './objectives/kl-cov';
import { decoupledPpo } from './objectives/decoupled-ppo';
import { ppoClip } from './objectives/ppo-clip';
import { reinforce } from './objectives/reinforce';
import { sapo } from './objectives/sapo';
import { entropy } from './regularizers/entropy';
import { kl } from './regularizers/kl';
import { llds } from './regularizers/llds';
import { nllOnPositive } from './regularizers/nll-on-positive';
import { mdpoKl, mdpoKlOffPolicy } from './regularizers/mdpo';

export {
  bapo,
  cispo,
  clipCov,
  dcpo,
  entropy,
  gmpo,
  gspo,
  hapo,
  kl,
  klCov,
  llds,
  nllOnPositive,
  mdpoKl,
  mdpoKlOffPolicy,
  decoupledPpo,
  ppoClip,
  reinforce,
  rootNormalised,
  sapo,
  seqMeanTokenMean,
  seqMeanTokenSum,
  seqMeanTokenSumNorm,
  tokenMean,
};
export { mdpoCoefficient } from './regularizers/mdpo';
export { KL_ESTIMATOR_CHOICES, klEstimate, type KlEstimator } from './math/kl';
export { rolloutCorrectionSchema, type RolloutCorrection } from './math/rollout-correction';

/** Every plugin of the package, for `createExperiment({ plugins })`. Importing registers nothing. */
export const plugins: readonly AnyPluginDefinition[] = [
  ppoClip,
  decoupledPpo,
  gspo,
  gmpo,
  cispo,
  sapo,
  bapo,
  dcpo,
  clipCov,
  klCov,
  hapo,
  reinforce,
  tokenMean,
  seqMeanTokenSum,
  seqMeanTokenMean,
  seqMeanTokenSumNorm,
  rootNormalised,
  kl,
  entropy,
  llds,
  nllOnPositive,
  mdpoKl,
  mdpoKlOffPolicy,
];
