import { initBackend } from '@tirl/core';
import { runFixtures } from '@tirl/core/testing';
import { objectiveFixtures } from './objective-cases';
import { objectiveFixtureRunner } from './helpers';

// The same fixtures on the wasm backend (the default where no GPU backend is installed): a kernel that
// misbehaves there (tfjs-wasm's Select on bool tensors corrupted its heap) fails here, not in a long run.
beforeAll(() => initBackend({ force: 'wasm' }));

for (const { def, file } of objectiveFixtures) {
  runFixtures(`${def.id} fixtures on wasm`, file, objectiveFixtureRunner(def), 1e-4);
}
