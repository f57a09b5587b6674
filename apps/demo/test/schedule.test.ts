import { CheckpointSelector, evaluationSteps } from '../src/rl/schedule';

describe('evaluation schedule', () => {
  it('evaluates after SFT (step 0), every N steps, and at the last step', () => {
    expect(evaluationSteps(100, 10)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(evaluationSteps(25, 10)).toEqual([0, 10, 20, 25]);
    expect(evaluationSteps(6, 0)).toEqual([0, 6]);
    expect(evaluationSteps(5, 10)).toEqual([0, 5]);
    expect(evaluationSteps(0, 10)).toEqual([0]);
    expect(() => evaluationSteps(10, -1)).toThrow('--eval-every must be a non-negative integer, got -1');
    expect(() => evaluationSteps(2.5, 1)).toThrow(/RL steps must be a non-negative integer/);
  });
});

describe('checkpoint selection by validation accuracy', () => {
  it('keeps the warm start unless a checkpoint beats the kept one by more than minGain', () => {
    const s = new CheckpointSelector({ minGain: 0.02, patience: 0 });
    expect(s.offer(0, 0.5)).toBe(true);
    expect(s.offer(10, 0.52)).toBe(false); // +0.02 is not more than 0.02
    expect(s.offer(20, 0.53)).toBe(true);
    expect(s.offer(30, 0.4)).toBe(false);
    expect(s.best).toEqual({ step: 20, validation: 0.53 });
    expect(s.shouldStop).toBe(false); // patience 0: never stops
  });

  it('a warm start at the ceiling stays kept', () => {
    const s = new CheckpointSelector({ minGain: 0.02, patience: 0 });
    for (const [step, v] of [[0, 0.984], [10, 1], [20, 0.97]] as const) s.offer(step, v);
    expect(s.best.step).toBe(0);
  });

  it('asks to stop after `patience` evaluations in a row without a kept checkpoint', () => {
    const s = new CheckpointSelector({ minGain: 0, patience: 2 });
    s.offer(0, 0.1);
    s.offer(10, 0.3);
    expect(s.shouldStop).toBe(false);
    s.offer(20, 0.3);
    expect(s.shouldStop).toBe(false);
    s.offer(30, 0.2);
    expect(s.shouldStop).toBe(true);
    expect(s.best.step).toBe(10);
  });

  it('rejects bad rules', () => {
    expect(() => new CheckpointSelector({ minGain: -0.1, patience: 0 })).toThrow('minGain must be ≥ 0, got -0.1');
    expect(() => new CheckpointSelector({ minGain: 0, patience: 1.5 })).toThrow('patience must be a non-negative integer, got 1.5');
    expect(() => new CheckpointSelector({ minGain: 0, patience: 0 }).best).toThrow(/no checkpoint/);
  });
});
