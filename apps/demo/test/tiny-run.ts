import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, QUICK_OPTIONS, type DemoOptions } from '../src/demo';

/** Options for a pipeline smoke run: a one-layer model, a few steps, quiet, into `out`. */
export function tinyRun(out: string, overrides: Partial<DemoOptions> = {}): DemoOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...QUICK_OPTIONS,
    sftSteps: 3,
    sftBatch: 4,
    steps: 2,
    promptsPerStep: 2,
    groupSize: 2,
    evalRepeats: 1,
    validation: 2,
    model: { hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 },
    out,
    verbose: false,
    ...overrides,
  };
}

/** A fresh temporary folder per test, removed afterwards; read `dir()` inside the test. */
export function tempDirPerTest(prefix: string): () => string {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), prefix))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
