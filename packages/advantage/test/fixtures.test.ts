import * as path from 'node:path';
import { runFixtures } from '@tirl/core/testing';
import { plugins } from '../src';
import { runFixtureInput, type FixtureInput } from './helpers';

// One fixture file per plugin, named after the plugin: test/fixtures/<name>.json.
for (const def of plugins) {
  runFixtures<FixtureInput, unknown>(`${def.id} fixtures`, path.join(__dirname, 'fixtures', `${def.name}.json`), (input) => runFixtureInput(def, input), 1e-5);
}
