/** A benchmark worker process: argv = url runId name concurrency. */
import 'reflect-metadata';
import { initBackend } from '@tirl/core';
import { RolloutWorker } from '../src';
import { benchPlugins, scriptedPolicy } from './task';

async function main(): Promise<void> {
  const [url, runId, name, concurrency] = process.argv.slice(2);
  await initBackend({ force: 'cpu' });
  await RolloutWorker.start({ url, runId, name, plugins: benchPlugins, concurrency: Number(concurrency), policy: scriptedPolicy, log: () => undefined });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
