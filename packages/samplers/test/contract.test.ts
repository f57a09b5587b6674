import { describePlugin } from '@tirl/core/testing';
import { curriculum, d3sSample, dynamicSampling, epochShuffle, overlongFilter, scafHints, voidMask, xrpoAllocator } from '../src';

describePlugin(epochShuffle, { invalid: [{ options: { shuffle: 1 }, field: 'shuffle' }] });
describePlugin(curriculum, { invalid: [{ options: { difficulty: { start: 2 } }, field: 'difficulty.start' }] });
describePlugin(xrpoAllocator, {
  invalid: [{ options: { minRollouts: 1 }, field: 'minRollouts' }, { options: { rolloutsPerPrompt: 64 }, field: 'rolloutsPerPrompt' }],
});
describePlugin(scafHints, { invalid: [{ options: { template: 'no placeholder' }, field: 'template' }] });
describePlugin(dynamicSampling, { invalid: [{ options: { onExhausted: 'skip' }, field: 'onExhausted' }, { options: { minStd: -1 }, field: 'minStd' }] });
describePlugin(overlongFilter, { invalid: [{ options: { reasons: ['truncated'] }, field: 'reasons' }] });
describePlugin(voidMask, { invalid: [{ options: { mode: 'zero' }, field: 'mode' }] });
describePlugin(d3sSample, { invalid: [{ options: { minKeep: 1 }, field: 'minKeep' }] });
