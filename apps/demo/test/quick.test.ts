import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDemo } from '../src/demo';
import { tempDirPerTest, tinyRun } from './tiny-run';

describe('demo pipeline', () => {
  const tempDir = tempDirPerTest('tirl-demo-');

  it('runs SFT, evaluation, RL and the report with finite metrics', async () => {
    const dir = tempDir();
    const result = await runDemo(tinyRun(dir, { entities: 12, heldOut: 2, validation: 2, evalEvery: 1 }));
    expect(result.sftLosses).toHaveLength(3);
    expect(result.sftLosses.every(Number.isFinite)).toBe(true);
    // Evaluated after SFT and after each of the 2 RL steps; the reported summary is the kept checkpoint's.
    expect(result.points.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(result.before).toBe(result.points[0].test);
    expect(result.after).toBe(result.points.find((p) => p.step === result.keptStep)!.test);
    expect(result.rlHistory.length).toBeLessThanOrEqual(2);
    for (const m of result.rlHistory) expect(Number.isFinite(m['loss/total'])).toBe(true);
    for (const s of [result.before, result.after]) {
      expect(s.answers).toBe(2);
      for (const v of [s.accuracy, s.greedyAccuracy, s.toolCallsPerAnswer, s.invalidToolCallsPerAnswer, s.faithfulToolUse]) {
        expect(Number.isFinite(v)).toBe(true);
      }
    }
    const summary = JSON.parse(readFileSync(join(dir, 'report', 'summary.json'), 'utf8'));
    expect(summary.curve.map((p: { step: number }) => p.step)).toEqual([0, 1, 2]);
    for (const name of ['rl_progress.png', 'reward_mean.png', 'index.html', 'summary.json']) {
      expect(existsSync(join(dir, 'report', name))).toBe(true);
    }
  }, 300000);
});
