import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

const lockdown = join(__dirname, '../src/sandbox/host-lockdown.js');

/** Runs the host lock-down in a worker thread of its own (it changes globals for good) and reports. */
function inWorker(lock: boolean): Promise<{ failures: string[]; instanceOfWorks: boolean }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { lockDownHost, hostChecks } = require(${JSON.stringify(lockdown)});
    if (${lock}) lockDownHost(undefined);
    parentPort.postMessage({ failures: hostChecks(), instanceOfWorks: (() => {}) instanceof Function });
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('python sandbox host lock-down', () => {
  it('the checks see every way to compile JavaScript while the host is open', async () => {
    const { failures } = await inWorker(false);
    expect(failures).toEqual(
      expect.arrayContaining([
        'Function constructor still works',
        'async Function constructor still works',
        'global Function still works',
        'new Function still works',
        'globalThis.Function still works',
        'eval still works',
        'global process is still reachable',
      ]),
    );
  });

  it('after the lock-down the global Function binding is blocked too, and instanceof Function still works', async () => {
    const { failures, instanceOfWorks } = await inWorker(true);
    expect(failures).toEqual([]);
    expect(instanceOfWorks).toBe(true);
  });
});
