import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { TirlError } from '@tirl/core';
import { completeCheckpoints, latestCheckpoint, removeStaleTemporaries } from './checkpoint';

/**
 * A fresh (not resumed) run may not start in a folder holding another run's checkpoints: pruning would
 * mix the two runs' steps. `overwrite` deletes the earlier checkpoints first.
 */
export function prepareFreshRun(checkpoints: string, overwrite: boolean): void {
  const earlier = completeCheckpoints(checkpoints);
  if (earlier.length === 0 && !existsSync(`${checkpoints}/latest`)) return;
  if (!overwrite) {
    throw new TirlError(
      `${checkpoints} already holds checkpoints of an earlier run (newest: ${earlier.at(-1) ?? 'none complete'}). ` +
        'Pass --resume to continue that run, use another run folder, or pass --overwrite (overwrite: true) to delete them and start again',
      'conflict',
    );
  }
  rmSync(checkpoints, { recursive: true, force: true });
}

/** Where `--resume` continues: the checkpoint folder (undefined: none yet, start at step 0) and what was cleaned up. */
export function resumePoint(checkpoints: string, log: (line: string) => void): string | undefined {
  const removed = removeStaleTemporaries(checkpoints);
  if (removed.length) log(`resume: removed half-written checkpoint files of a stopped run: ${removed.join(', ')}`);
  const path = latestCheckpoint(checkpoints);
  if (!path) log(`resume: ${checkpoints} holds no checkpoint yet; starting from step 0`);
  return path;
}

/**
 * Keeps the metrics lines of the steps before `step` (the later ones are trained again), rewritten
 * atomically. A torn last line (a kill during its write) is dropped with a note; any other line that is
 * not JSON is an error naming the file and line.
 */
export function keepMetricsBefore(metricsFile: string, step: number, log: (line: string) => void): void {
  if (!existsSync(metricsFile)) {
    writeFileSync(metricsFile, '');
    return;
  }
  const text = readFileSync(metricsFile, 'utf8');
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  const kept: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let row: { step?: unknown };
    try {
      row = JSON.parse(line) as { step?: unknown };
    } catch (e) {
      if (i === lines.length - 1 && !complete) {
        log(`resume: ${metricsFile} line ${i + 1} was cut off by the stop (${line.length} characters); dropped`);
        return;
      }
      throw new TirlError(`${metricsFile} line ${i + 1} is not JSON (${(e as Error).message}); fix or delete that line, then resume again`, 'invalid-data');
    }
    if (typeof row.step !== 'number') throw new TirlError(`${metricsFile} line ${i + 1} has no numeric "step"; fix or delete that line, then resume again`, 'invalid-data');
    if (row.step < step) kept.push(line);
  });
  const tmp = `${metricsFile}.tmp`;
  writeFileSync(tmp, kept.map((l) => l + '\n').join(''));
  renameSync(tmp, metricsFile);
}
