import 'reflect-metadata';
import { defineRecipe, describeBackend, discoverPlugins, initBackend, resolveRecipe } from '@tirl/core';

/** Until the training demo lands: print the plugin catalog and a resolved recipe. */
async function main(): Promise<void> {
  console.log(describeBackend(await initBackend()));
  const { catalog, missing } = discoverPlugins();
  const byKind = new Map<string, string[]>();
  for (const def of catalog.list()) byKind.set(def.kind, [...(byKind.get(def.kind) ?? []), def.name]);
  console.log(`\nPlugin catalog (${catalog.list().length} plugins)`);
  for (const [kind, names] of byKind) console.log(`  ${kind.padEnd(20)} ${names.join(', ')}`);
  if (missing.length) console.log(`  not installed: ${missing.join(', ')}`);
  const grpo = defineRecipe({
    name: 'grpo',
    paper: { title: 'DeepSeekMath', arxiv: '2402.03300' },
    plugins: [['advantage/grpo'], ['objective/ppo-clip', { clipLow: 0.2, clipHigh: 0.2 }], ['aggregation/token-mean']],
    settings: { groupSize: 8 },
  });
  console.log('\nResolved recipe "grpo":');
  console.log(JSON.stringify(resolveRecipe(grpo, undefined, { recipes: [] }), null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
