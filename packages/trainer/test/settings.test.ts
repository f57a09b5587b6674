import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { parseTrainerSettings } from '../src';

describe('strict run settings', () => {
  it('a misspelt key fails, naming the key and the nearest valid one', () => {
    expect(() => parseTrainerSettings({ groupsize: 8 })).toThrow(/unknown setting "groupsize"\. Did you mean "groupSize"\?/);
    expect(() => parseTrainerSettings({ optimizer: { lr: 1e-3, warmupStep: 5 } })).toThrow(
      /unknown setting "optimizer\.warmupStep"\. Did you mean "optimizer\.warmupSteps"\? Settings under optimizer: lr, betas/,
    );
    expect(() => parseTrainerSettings({ limits: { maxturns: 2 } })).toThrow(/Did you mean "limits\.maxTurns"\?/);
  });

  it('lists the valid keys when nothing is close, and still reports bad values', () => {
    expect(() => parseTrainerSettings({ zzzzzzzz: 1 })).toThrow(/unknown setting "zzzzzzzz" Settings: seed, steps, promptsPerStep, groupSize/);
    expect(() => parseTrainerSettings({ groupSize: 0, grupSize: 2 })).toThrow(/unknown setting "grupSize"\. Did you mean "groupSize"\?.*groupSize: Too small/);
  });

  it('accepts every known key', () => {
    expect(parseTrainerSettings({ groupSize: 8, optimizer: { lr: 1e-3 }, limits: { maxTurns: 2 } }).groupSize).toBe(8);
  });

  it('tirl train --set with a misspelt key fails before any work (no run directory, no model)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirl-set-'));
    try {
      writeFileSync(join(dir, 'train.jsonl'), '{"id":"q","messages":[{"role":"user","content":"hi"}],"answer":"hi"}\n');
      const config = join(dir, 'exp.yaml');
      const runDir = join(dir, 'run');
      writeFileSync(config, `model:\n  tiny: { hiddenSize: 8 }\ndata:\n  train: ${join(dir, 'train.jsonl')}\nrunDir: ${runDir}\n`);
      await expect(main(['train', '--recipe', 'grpo', '--config', config, '--set', 'groupsize=8'])).rejects.toThrow(
        'unknown setting "groupsize". Did you mean "groupSize"?',
      );
      expect(existsSync(runDir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
