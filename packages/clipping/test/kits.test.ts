import { runAggregationKit, runObjectiveKit, runRegularizerKit } from '@tirl/core/testing';
import { bapo, entropy, hapo, kl, klCov, llds, rootNormalised, seqMeanTokenMean, seqMeanTokenSum, seqMeanTokenSumNorm, tokenMean } from '../src';
import { registerTfjsGradients } from './gradient-registry';
import { objectiveFixtures } from './objective-cases';

registerTfjsGradients();

/** Objectives whose statistics are taken over the tensor they are given, by the paper's design. */
const batchWide = new Map<string, string>([
  [bapo.id, 'the clip bounds are searched over the whole tensor it is given (positive-share target)'],
  [hapo.id, 'the entropy pivot is a quantile over the tokens of the tensor it is given'],
  [klCov.id, 'the detached tokens are the top covariance fraction of the tensor it is given'],
]);

for (const { def, invalid } of objectiveFixtures) {
  const reason = batchWide.get(def.id);
  runObjectiveKit(def, { invalid, ...(reason ? { exempt: { 'micro-batch': reason } } : {}) });
}

for (const def of [tokenMean, seqMeanTokenSum, seqMeanTokenMean, rootNormalised]) runAggregationKit(def);
runAggregationKit(seqMeanTokenSumNorm, { valid: { divisor: 64 }, invalid: [{ options: { divisor: -1 }, field: 'divisor' }] });
runAggregationKit(seqMeanTokenSumNorm, {
  exempt: { padding: 'the default divisor "max-length" is the padded width of the batch, so time padding rescales the loss' },
});

runRegularizerKit(kl, { invalid: [{ options: { estimator: 'k4' }, field: 'estimator' }, { options: { coef: -1 }, field: 'coef' }] });
runRegularizerKit(kl, { valid: { placement: 'reward' } });
runRegularizerKit(kl, { valid: { controller: 'adaptive', estimator: 'k3' } });
runRegularizerKit(entropy, { valid: { coef: 0.01 }, invalid: [{ options: { minCoef: 2, maxCoef: 1 }, field: 'minCoef' }] });
runRegularizerKit(llds, { invalid: [{ options: { gate: 'turn' }, field: 'gate' }] });
