import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, QUICK_OPTIONS, runDemo } from '../src/demo';

describe('demo pipeline', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-demo-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs SFT, evaluation, RL and the report with finite metrics', async () => {
    const result = await runDemo({
      ...DEFAULT_OPTIONS,
      ...QUICK_OPTIONS,
      sftSteps: 3,
      sftBatch: 4,
      steps: 2,
      entities: 8,
      heldOut: 2,
      promptsPerStep: 2,
      groupSize: 2,
      evalRepeats: 1,
      model: { hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 },
      out: dir,
      verbose: false,
    });
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
