import { describePlugin } from '../src/testing';
import { exactMatch, grpo, ppoClip } from './helpers';

describePlugin(grpo, { invalid: [{ options: { epsilon: -1 }, field: 'epsilon' }] });
describePlugin(ppoClip, {
  valid: { clipHigh: 0.28 },
  invalid: [
    { options: { clipLow: 2 }, field: 'clipLow' },
    { options: { clipHigh: 'wide' }, field: 'clipHigh' },
  ],
});
describePlugin(exactMatch);
