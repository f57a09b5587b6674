/** A rollout worker for the async bench: argv = url runId name. Serves the demo's plugins. */
import 'reflect-metadata';
import { initBackend } from '@tirl/core';
import { RolloutWorker } from '@tirl/scale-out';
import { demoPlugins } from '../src/plugins/compact-xml-tags';

async function main(): Promise<void> {
  const [url, runId, name] = process.argv.slice(2);
  await initBackend({});
  for (;;) {
    try {
      await RolloutWorker.start({ url, runId, name, plugins: demoPlugins, concurrency: 2, log: () => undefined });
      return;
    } catch (e) {
      if (!/No run/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
