import { parseDemoArgs, USAGE } from './args';
import { runMatpoComparison } from './compare';
import { runDemo } from './demo';
import { runComparisonSeeds, runSeeds } from './seeds';
import { makeTask } from './tasks';

async function main(): Promise<void> {
  const options = parseDemoArgs(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  if (options.task === 'matpo') {
    if (options.seeds) await runComparisonSeeds(options, options.seeds);
    else await runMatpoComparison(options);
    return;
  }
  makeTask(options.task, options.seed, 4, 1); // fails early, naming the available tasks
  if (options.seeds) await runSeeds(options, options.seeds);
  else await runDemo(options);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
