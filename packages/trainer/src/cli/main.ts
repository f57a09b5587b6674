#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { describeBackend, discoverPlugins, initBackend, resolveRecipe, TirlError } from '@tirl/core';
import { createTinyModel, loadPretrained, ByteTokenizer, type CausalLM } from '@tirl/policy';
import type { Tokenizer } from '@tirl/core';
import { evaluate } from '../eval';
import { writeReport } from '../report/charts';
import { train } from '../run';
import { overridesOf, readExperimentFile, readSamples, recipeArgument, type ExperimentFile } from './config';

const USAGE = `tirl — tool-integrated RL

  tirl train   --recipe NAME|FILE --config exp.yaml [--set path=value ...] [--resume]
  tirl eval    --recipe NAME|FILE --config exp.yaml [--checkpoint DIR] [--set path=value ...]
  tirl report  RUN_DIR
  tirl recipes [NAME] [--set path=value ...]
  tirl plugins [KIND]`;

const FLAGS = {
  recipe: { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  resume: { type: 'boolean' },
  checkpoint: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.some((a) => a === '--help' || a === '-h') || argv[0] === 'help') {
    console.log(USAGE);
    return 0;
  }
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: FLAGS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new TirlError(`${(e as Error).message}\n\n${USAGE}`, 'invalid-options');
  }
  const { values, positionals } = parsed;
  const sets = values.set ?? [];
  switch (command) {
    case 'recipes':
      return printRecipes(positionals[0], sets);
    case 'plugins':
      return printPlugins(positionals[0]);
    case 'report': {
      if (!positionals[0]) throw new TirlError(`tirl report needs RUN_DIR\n\n${USAGE}`, 'invalid-options');
      for (const f of await writeReport(positionals[0])) console.log(f);
      return 0;
    }
    case 'train':
    case 'eval': {
      const recipeArg = required(values.recipe, '--recipe', command);
      const file = readExperimentFile(required(values.config, '--config', command));
      const recipe = resolveRecipe(recipeArgument(recipeArg), [overridesOf(file), sets]);
      console.log(describeBackend(await initBackend()));
      console.log(JSON.stringify(recipe, null, 2));
      const { model, tokenizer } = await loadModel(file, values.checkpoint);
      if (command === 'train') {
        const result = await train({ recipe, model, tokenizer, dataset: readSamples(file.data.train), runDir: file.runDir, resume: values.resume });
        console.log(`trained ${result.steps} steps${result.interruptedBy ? ` (stopped by ${result.interruptedBy}, checkpoint saved)` : ''}; metrics in ${file.runDir}/metrics.jsonl`);
      } else {
        const data = required(file.data.eval, 'data.eval in the config', command);
        const result = await evaluate({ recipe, model, tokenizer, dataset: readSamples(data) });
        console.log(JSON.stringify(result.metrics, null, 2));
      }
      model.dispose();
      return 0;
    }
    default:
      throw new TirlError(`Unknown command "${command}".\n\n${USAGE}`, 'invalid-options');
  }
}

function required<T>(value: T | undefined, flag: string, command: string): T {
  if (value === undefined) throw new TirlError(`tirl ${command} needs ${flag}\n\n${USAGE}`, 'invalid-options');
  return value;
}

function printRecipes(name: string | undefined, sets: string[]): number {
  if (name) {
    console.log(JSON.stringify(resolveRecipe(recipeArgument(name), sets), null, 2));
    return 0;
  }
  const { recipes } = require('@tirl/recipes' as string) as { recipes: { name: string; paper?: { title: string; arxiv?: string } }[] };
  for (const r of recipes) console.log(`${r.name.padEnd(14)} ${r.paper ? `${r.paper.title}${r.paper.arxiv ? ` (arXiv ${r.paper.arxiv})` : ''}` : ''}`);
  return 0;
}

function printPlugins(kind: string | undefined): number {
  const { catalog, missing } = discoverPlugins();
  for (const def of catalog.list(kind)) console.log(`${def.id.padEnd(40)} ${def.summary}`);
  if (missing.length) console.log(`\nnot installed: ${missing.join(', ')}`);
  return 0;
}

async function loadModel(file: ExperimentFile, checkpoint?: string): Promise<{ model: CausalLM; tokenizer: Tokenizer }> {
  const dir = checkpoint ?? file.model.path;
  if (dir) {
    const loaded = await loadPretrained(dir);
    return { model: loaded.model, tokenizer: loaded.tokenizer ?? new ByteTokenizer() };
  }
  const { seed = 0, ...config } = file.model.tiny as Record<string, unknown> & { seed?: number };
  const tokenizer = new ByteTokenizer();
  return { model: createTinyModel({ vocabSize: tokenizer.vocabSize, ...config } as never, seed), tokenizer };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof TirlError ? `error: ${e.message}` : e);
      process.exit(1);
    },
  );
}
