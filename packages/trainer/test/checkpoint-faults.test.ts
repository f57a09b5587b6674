import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@tirl/core';
import { stable } from './task';

// SIGKILL at random points of the run's file writes (weights, optimizer, trainer state, the `latest`
// pointer, pruning, and the metrics file), each cut in the middle of its bytes; then `--resume` must
// end with the same weights, optimizer state and metrics as a run that was never killed.

const STEPS = 2;
const root = join(__dirname, '..', '..', '..');
const child = (runDir: string, resume: boolean, killAt?: number) =>
  new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [require.resolve('tsx/cli'), '--conditions=tirl-source', join(__dirname, 'fixtures', 'train-child-faults.ts'), runDir, String(STEPS), resume ? 'resume' : ''], {
      cwd: root,
      env: { ...process.env, ...(killAt ? { KILL_AT: String(killAt) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

const final = (runDir: string) => {
  const ckpt = join(runDir, 'checkpoints', `step-${String(STEPS).padStart(6, '0')}`);
  return {
    model: readFileSync(join(ckpt, 'model.safetensors')),
    optimizer: readFileSync(join(ckpt, 'optimizer.safetensors')),
    latest: readFileSync(join(runDir, 'checkpoints', 'latest'), 'utf8'),
    metrics: stable(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))),
  };
};

describe('checkpoint and metrics writes killed at random points', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-faults-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every resumed run ends byte-identical to the uninterrupted one', async () => {
    const reference = join(dir, 'reference');
    const counted = await child(reference, false);
    expect({ code: counted.code, stderr: counted.stderr }).toEqual({ code: 0, stderr: '' });
    const ops = counted.stdout.trim().split('\n').map((l) => JSON.parse(l) as { op: string; file: string });
    const expected = final(reference);
    expect(expected.metrics.map((m) => m.step)).toEqual([0, 1]);

    // One random operation of each kind of file (seeded), so every part of the write is hit.
    const kinds: [string, (o: { op: string; file: string }) => boolean][] = [
      ['metrics append', (o) => o.op === 'append' && o.file === 'metrics.jsonl'],
      ['model weights', (o) => o.file.includes('model.safetensors')],
      ['optimizer', (o) => o.file.includes('optimizer.safetensors')],
      ['trainer state', (o) => o.file.endsWith('trainer_state.json')],
      ['checkpoint folder rename', (o) => o.op === 'rename' && /step-\d+$/.test(o.file)],
      ['latest pointer', (o) => o.file.startsWith('checkpoints/latest')],
      ['pruning', (o) => o.op === 'remove' && /step-\d+$/.test(o.file)],
    ];
    const rng = new Rng(20261205);
    const killed: { kind: string; at: number; op: string; file: string }[] = [];
    for (const [kind, match] of kinds) {
      const candidates = ops.map((o, i) => ({ ...o, at: i + 1 })).filter(match);
      expect(candidates.length).toBeGreaterThan(0);
      killed.push({ kind, ...candidates[Math.floor(rng.next() * candidates.length)] });
    }
    // Two kill-and-resume pairs at a time.
    for (let i = 0; i < killed.length; i += 2) await Promise.all(killed.slice(i, i + 2).map(killAndResume));
    async function killAndResume(k: (typeof killed)[number]) {
      const runDir = join(dir, `kill-${k.at}`);
      const first = await child(runDir, false, k.at);
      // tsx runs the script in a child of its own and passes its death on as exit code 128 + 9.
      const died = first.signal === 'SIGKILL' || first.code === 137;
      expect({ kind: k.kind, at: k.at, died, stderr: first.stderr }).toEqual({ kind: k.kind, at: k.at, died: true, stderr: '' });
      const resumed = await child(runDir, true);
      expect({ kind: k.kind, code: resumed.code, stderr: resumed.stderr }).toEqual({ kind: k.kind, code: 0, stderr: '' });
      const got = final(runDir);
      expect({ kind: k.kind, same: Buffer.compare(got.model, expected.model) === 0 && Buffer.compare(got.optimizer, expected.optimizer) === 0 }).toEqual({ kind: k.kind, same: true });
      expect(got.latest).toBe(expected.latest);
      expect(got.metrics).toEqual(expected.metrics);
    }
    console.log(JSON.stringify({ checkpointFaults: killed.map((k) => `${k.kind}: op ${k.at} (${k.op} ${k.file})`) }));
  }, 600_000);
});
