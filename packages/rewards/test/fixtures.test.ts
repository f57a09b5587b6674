import * as fs from 'node:fs';
import * as path from 'node:path';
import { plugins } from '../src';
import { loadFixtures, runFixtures } from '@tirl/core/testing';
import { scoreCase, type RewardCaseInput } from './helpers';

/** JSON has no NaN: a null expected score means "a failure (NaN) is expected". */
function nullToNaN(value: unknown): unknown {
  if (value === null) return NaN;
  if (Array.isArray(value)) return value.map(nullToNaN);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nullToNaN(v)]));
  return value;
}

const dir = path.join(__dirname, 'fixtures');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('every reward plugin has a fixture table', () => {
  it.each(plugins.map((p) => [p.id]))('%s', (id) => {
    const file = files.find((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).plugin === id);
    expect(file).toBeDefined();
  });
});

for (const file of files) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { plugin: string; runner?: string };
  // A fixture with its own runner (e.g. one that needs a local server) is run by that test file.
  if (json.runner) continue;
  const pluginId = json.plugin;
  const def = plugins.find((p) => p.id === pluginId);
  if (!def) throw new Error(`${file}: unknown plugin ${pluginId}`);
  const cases = loadFixtures<RewardCaseInput, unknown>(path.join(dir, file)).map((c) => ({ ...c, expected: nullToNaN(c.expected) }));
  runFixtures(`${pluginId} fixtures (${file})`, cases, (input) => scoreCase(def, input), 1e-6);
}
