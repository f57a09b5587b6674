import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/** A fixture script as a child process; `node --import tsx` runs it in that very process, so a SIGKILL reaches it (the tsx CLI would spawn a child). */
export const runFixture = (script: string, args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', '--conditions=tirl-source', join(__dirname, 'fixtures', script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

export const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const readLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

/** The step of the newest checkpoint in `runDir` (0 before any). */
export function checkpointStep(runDir: string): number {
  const pointer = join(runDir, 'checkpoints', 'latest');
  return existsSync(pointer) ? Number(readFileSync(pointer, 'utf8').trim().slice('step-'.length)) : 0;
}
