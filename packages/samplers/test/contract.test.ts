import { runFilterKit, runSamplerKit } from '@tirl/core/testing';
import { curriculum, d3sSample, dynamicSampling, greedyBaselineFilter, epochShuffle, overlongFilter, scafHints, voidMask, xrpoAllocator } from '../src';

runSamplerKit(epochShuffle, { invalid: [{ options: { shuffle: 1 }, field: 'shuffle' }] });
runSamplerKit(curriculum, { invalid: [{ options: { difficulty: { start: 2 } }, field: 'difficulty.start' }] });
runSamplerKit(xrpoAllocator, {
  invalid: [{ options: { minRollouts: 1 }, field: 'minRollouts' }, { options: { rolloutsPerPrompt: 64 }, field: 'rolloutsPerPrompt' }],
});
runSamplerKit(scafHints, { invalid: [{ options: { template: 'no placeholder' }, field: 'template' }] });
runFilterKit(dynamicSampling, { invalid: [{ options: { onExhausted: 'skip' }, field: 'onExhausted' }, { options: { minStd: -1 }, field: 'minStd' }] });
runFilterKit(overlongFilter, { invalid: [{ options: { reasons: ['truncated'] }, field: 'reasons' }] });
runFilterKit(greedyBaselineFilter, { invalid: [{ options: { baselineKey: '' }, field: 'baselineKey' }] });
runFilterKit(voidMask, { invalid: [{ options: { mode: 'zero' }, field: 'mode' }] });
runFilterKit(d3sSample, { invalid: [{ options: { minKeep: 1 }, field: 'minKeep' }] });
