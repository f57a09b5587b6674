import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRecipe } from '@tirl/core';
import { train } from '../src';
import { dataset, newModel, stable, testPlugins, testRecipe, tokenizer } from './task';

const root = join(__dirname, '..', '..', '..');
const child = (runDir: string, steps: number, resume = false) =>
  spawn(process.execPath, [require.resolve('tsx/cli'), '--conditions=tirl-source', join(__dirname, 'fixtures', 'train-child.ts'), runDir, String(steps), resume ? 'resume' : ''], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });

describe('resume after SIGKILL', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-kill-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a run killed with SIGKILL and resumed reproduces the uninterrupted run from its checkpoint on (cpu backend)', async () => {
    const steps = 4;
    const runDir = join(dir, 'killed');
    const proc = child(runDir, steps);
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    // Kill as soon as the step-2 checkpoint is complete (the `latest` pointer names it).
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const pointer = join(runDir, 'checkpoints', 'latest');
        if (existsSync(pointer) && readFileSync(pointer, 'utf8').trim() >= 'step-000002') {
          clearInterval(timer);
          proc.kill('SIGKILL');
          resolve();
        }
      }, 20);
      proc.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') {
          clearInterval(timer);
          reject(new Error(`training process ended before it was killed (code ${code}): ${stderr}`));
        }
      });
    });
    const killedAt = readFileSync(join(runDir, 'checkpoints', 'latest'), 'utf8').trim();
    const resumedFrom = Number(killedAt.slice('step-'.length));
    expect(resumedFrom).toBeGreaterThanOrEqual(2);

    const resumed = child(runDir, steps, true);
    let resumeErr = '';
    resumed.stderr.on('data', (d) => (resumeErr += d));
    const code = await new Promise<number | null>((resolve) => resumed.on('exit', resolve));
    expect({ code, resumeErr }).toEqual({ code: 0, resumeErr: '' });
    const resumedMetrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

    const model = newModel();
    const full = await train({
      recipe: resolveRecipe(testRecipe, [`steps=${steps}`], { recipes: [] }),
      model,
      tokenizer,
      dataset,
      runDir: join(dir, 'full'),
      plugins: testPlugins,
      progress: false,
    });
    model.dispose();
    expect(resumedMetrics.map((m) => m.step)).toEqual([0, 1, 2, 3]);
    expect(stable(resumedMetrics.slice(resumedFrom))).toEqual(stable(full.history.slice(resumedFrom)));
  }, 240000);
});
