import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDemo } from '../src/demo';
import { tempDirPerTest, tinyRun } from './tiny-run';

describe('demo pipeline', () => {
  const tempDir = tempDirPerTest('tirl-demo-');

  it('runs SFT, evaluation, RL and the report with finite metrics', async () => {
    const dir = tempDir();
    const result = await runDemo(tinyRun(dir, { entities: 8, heldOut: 2 }));
    expect(result.sftLosses).toHaveLength(3);
    expect(result.sftLosses.every(Number.isFinite)).toBe(true);
    expect(result.rlHistory).toHaveLength(2);
    for (const m of result.rlHistory) expect(Number.isFinite(m['loss/total'])).toBe(true);
    for (const s of [result.before, result.after]) {
      expect(s.answers).toBe(2);
      for (const v of [s.accuracy, s.greedyAccuracy, s.toolCallsPerAnswer, s.invalidToolCallsPerAnswer, s.faithfulToolUse]) {
        expect(Number.isFinite(v)).toBe(true);
      }
    }
    for (const name of ['rl_progress.png', 'reward_mean.png', 'index.html', 'summary.json']) {
      expect(existsSync(join(dir, 'report', name))).toBe(true);
    }
  }, 60000);
});
