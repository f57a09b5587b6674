import * as fs from 'node:fs';
import { expectClose } from './numbers';

/** One numeric case: inputs, the hand-derived expected output, and how the numbers were derived. */
export interface FixtureCase<I = unknown, O = unknown> {
  name: string;
  input: I;
  expected: O;
  /** The arithmetic behind `expected`, shown in the fixture file. */
  derivation?: string | string[];
  tol?: number;
}

/** Reads a JSON fixture file: `{ "cases": [...] }` or a bare array of cases. */
export function loadFixtures<I = unknown, O = unknown>(path: string): FixtureCase<I, O>[] {
  const json = JSON.parse(fs.readFileSync(path, 'utf8'));
  return Array.isArray(json) ? json : json.cases;
}

/** One jest test per case: `run(input)` must equal `expected` within the tolerance. */
export function runFixtures<I, O>(
  title: string,
  cases: readonly FixtureCase<I, O>[] | string,
  run: (input: I) => unknown | Promise<unknown>,
  tol = 1e-6,
): void {
  const list = typeof cases === 'string' ? loadFixtures<I, O>(cases) : cases;
  describe(title, () => {
    if (list.length === 0) throw new Error(`${title}: no fixture cases`);
    for (const c of list) {
      it(c.name, async () => {
        expectClose(await run(c.input), c.expected, c.tol ?? tol);
      });
    }
  });
}
