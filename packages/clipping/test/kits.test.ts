import { defaultTensorCases, runAggregationKit, runObjectiveKit, runRegularizerKit } from '@tirl/core/testing';
import {
  bapo, cispo, clipCov, dcpo, decoupledPpo, entropy, gmpo, gspo, hapo, kl, klCov, llds, mdpoKl, mdpoKlOffPolicy, ppoClip, reinforce, rootNormalised, sapo,
  seqMeanTokenMean, seqMeanTokenSum, seqMeanTokenSumNorm, tokenMean,
} from '../src';
import { registerTfjsGradients } from './gradient-registry';
import { objectiveFixtures } from './objective-cases';

registerTfjsGradients();

/** Objectives whose statistics are taken over the tensor they are given, by the paper's design. */
const batchWide = new Map<string, string>([
  [bapo.id, 'the clip bounds are searched over the whole tensor it is given (positive-share target)'],
  [hapo.id, 'the entropy pivot is a quantile over the tokens of the tensor it is given'],
  [klCov.id, 'the detached tokens are the top covariance fraction of the tensor it is given'],
]);

const invalidOptions = new Map(objectiveFixtures.map((f) => [f.def.id, f.invalid]));
for (const def of [ppoClip, gspo, gmpo, cispo, sapo, bapo, dcpo, clipCov, klCov, hapo, reinforce]) {
  const reason = batchWide.get(def.id);
  runObjectiveKit(def, { invalid: invalidOptions.get(def.id), ...(reason ? { exempt: { 'micro-batch': reason } } : {}) });
}

// Rollout correction reads the inference engine's log-probs: a second kit run gives it some.
const withRolloutLogProbs = defaultTensorCases().map((c, k) => ({
  ...c,
  rolloutLogProbs: c.oldLogProbs.map((row, b) => row.map((v, t) => v + 0.3 * Math.sin(1 + b * 7 + t * 3 + k))),
}));
runObjectiveKit(ppoClip, { valid: { rolloutCorrection: { mode: 'token-truncate' } }, cases: withRolloutLogProbs });
runObjectiveKit(ppoClip, { valid: { rolloutCorrection: { mode: 'token-mask', min: 0.8, max: 1.2 } }, cases: withRolloutLogProbs });

// Decoupled PPO reads the proximal policy's log-probs (the policy at the start of the step): the kit gives it some.
const withProximalLogProbs = defaultTensorCases().map((c, k) => ({
  ...c,
  proximalLogProbs: c.oldLogProbs.map((row, b) => row.map((v, t) => v + 0.2 * Math.cos(2 + b * 5 + t * 3 + k))),
}));
runObjectiveKit(decoupledPpo, { cases: withProximalLogProbs });

for (const def of [tokenMean, seqMeanTokenSum, seqMeanTokenMean, rootNormalised]) runAggregationKit(def);
runAggregationKit(seqMeanTokenSumNorm, { valid: { divisor: 64 }, invalid: [{ options: { divisor: -1 }, field: 'divisor' }] });
runAggregationKit(seqMeanTokenSumNorm, {
  exempt: { padding: 'the default divisor "max-length" is the padded width of the batch, so time padding rescales the loss' },
});

runRegularizerKit(kl, { invalid: [{ options: { estimator: 'k4' }, field: 'estimator' }, { options: { coef: -1 }, field: 'coef' }] });
runRegularizerKit(kl, { valid: { placement: 'reward' } });
runRegularizerKit(kl, { valid: { controller: 'adaptive', estimator: 'k3' } });
runRegularizerKit(entropy, { valid: { coef: 0.01 }, invalid: [{ options: { minCoef: 2, maxCoef: 1 }, field: 'minCoef' }] });
runRegularizerKit(mdpoKl, { valid: { iterations: 100 }, invalid: [{ options: { schedule: 'cosine' }, field: 'schedule' }, { options: { iterations: 0 }, field: 'iterations' }] });
runRegularizerKit(mdpoKlOffPolicy, { cases: withProximalLogProbs, invalid: [{ options: { coef: 0 }, field: 'coef' }] });
runRegularizerKit(llds, { invalid: [{ options: { gate: 'turn' }, field: 'gate' }] });
