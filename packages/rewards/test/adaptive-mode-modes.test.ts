import { adaptiveMode } from '../src';
import { scoreCase } from './helpers';

describe('reward/adaptive-mode with the known modes listed', () => {
  it('a declared mode outside `modes` fails the format; p comes from the forced instant rollouts only', async () => {
    // Forced instant: correct, wrong → p = 1/2; α = 2 → multiplier 1 − 1/4 = 0.75 for non-instant modes.
    // a1 reasoning_agent, correct → 0.75; a2 fast_agent (unknown) → format 0 → 0; a3 default_agent correct → 1.
    const out = await scoreCase(adaptiveMode, {
      options: { instantMode: 'default_agent', modes: ['default_agent', 'reasoning_agent'], easyThreshold: 0 },
      samples: [{ id: 'q1', answer: 'x' }],
      trajectories: [
        { id: 'f1', text: '<answer>x</answer>', meta: { mode: 'default_agent', forced: true } },
        { id: 'f2', text: '<answer>y</answer>', meta: { mode: 'default_agent', forced: true } },
        { id: 'a1', text: '<classification>reasoning_agent</classification><answer>x</answer>' },
        { id: 'a2', text: '<classification>fast_agent</classification><answer>x</answer>' },
        { id: 'a3', text: '<classification>default_agent</classification><answer>x</answer>' },
      ],
    });
    expect(out.scores).toEqual([1, 0, 0.75, 0, 1]);
  });

  it('rejects an instant mode that is not one of the modes, naming instantMode', () => {
    expect(() => adaptiveMode.options.parse({ instantMode: 'instant', modes: ['default_agent'] })).toThrow(/instantMode/);
  });
});
