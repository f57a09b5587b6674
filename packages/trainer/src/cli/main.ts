#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { composeRun, describeBackend, discoverPlugins, formatRun, initBackend, installedRunCatalog, TirlError, type RunSpec } from '@tirl/core';
import { createTinyModel, loadPretrained, ByteTokenizer, type CausalLM } from '@tirl/policy';
import type { Tokenizer } from '@tirl/core';
import { evaluate } from '../eval';
import { writeReport } from '../report/charts';
import { train } from '../run';
import { overridesOf, partArgument, readExperimentFile, readSamples, type ExperimentFile } from './config';
import { parseTrainerSettings } from '../settings';

const USAGE = `tirl — tool-integrated RL

  tirl train   RUN --config exp.yaml [--set path=value ...] [--resume | --overwrite] [--strict]
  tirl eval    RUN --config exp.yaml [--checkpoint DIR] [--set path=value ...]
  tirl report  RUN_DIR
  tirl recipes [RUN] [--set path=value ...]     (no RUN: list recipes, methods, tasks, scales)
  tirl plugins [KIND]

  RUN is --recipe NAME|FILE, and/or --method NAME|FILE, --task NAME|FILE, --scale NAME|FILE
  (each replaces that part of the recipe). Values are composed in this order: method (parents
  first), task, scale, the config file, then --set.`;

const FLAGS = {
  recipe: { type: 'string' },
  method: { type: 'string' },
  task: { type: 'string' },
  scale: { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  resume: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  strict: { type: 'boolean' },
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
      return printRecipes(positionals[0] ?? values.recipe, values, sets);
    case 'plugins':
      return printPlugins(positionals[0]);
    case 'report': {
      if (!positionals[0]) throw new TirlError(`tirl report needs RUN_DIR\n\n${USAGE}`, 'invalid-options');
      for (const f of await writeReport(positionals[0])) console.log(f);
      return 0;
    }
    case 'train':
    case 'eval': {
      const spec = runSpec(values.recipe, values, command);
      const configPath = required(values.config, '--config', command);
      const file = readExperimentFile(configPath);
      const recipe = composeRun({ ...spec, overrides: [overridesOf(file, configPath), sets] });
      parseTrainerSettings(recipe.settings);
      console.log(formatRun(recipe));
      console.log(describeBackend(await initBackend()));
      const { model, tokenizer } = await loadModel(file, values.checkpoint);
      if (command === 'train') {
        const dataset = readSamples(file.data.train);
        const result = await train({ recipe, model, tokenizer, dataset, runDir: file.runDir, resume: values.resume, overwrite: values.overwrite, strict: values.strict });
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

interface PartFlags {
  method?: string;
  task?: string;
  scale?: string;
}

/** `--recipe`, `--method`, `--task`, `--scale`: names, or JSON/YAML files holding one. */
function runSpec(recipe: string | undefined, flags: PartFlags, command: string): RunSpec {
  if (recipe === undefined && flags.method === undefined) throw new TirlError(`tirl ${command} needs --recipe or --method\n\n${USAGE}`, 'invalid-options');
  return {
    recipe: recipe === undefined ? undefined : (partArgument(recipe) as RunSpec['recipe']),
    method: flags.method === undefined ? undefined : (partArgument(flags.method) as RunSpec['method']),
    task: flags.task === undefined ? undefined : (partArgument(flags.task) as RunSpec['task']),
    scale: flags.scale === undefined ? undefined : (partArgument(flags.scale) as RunSpec['scale']),
  };
}

function printRecipes(name: string | undefined, flags: PartFlags, sets: string[]): number {
  if (name || flags.method) {
    const run = composeRun({ ...runSpec(name, flags, 'recipes'), overrides: [sets] });
    console.log(formatRun(run));
    console.log(JSON.stringify(run, null, 2));
    return 0;
  }
  const catalog = installedRunCatalog();
  const cite = (p?: { title: string; arxiv?: string }) => (p ? `${p.title}${p.arxiv ? ` (arXiv ${p.arxiv})` : ''}` : '');
  const list = (title: string, rows: [string, string][]) => {
    console.log(`${title}:`);
    for (const [n, text] of rows) console.log(`  ${n.padEnd(20)} ${text}`);
  };
  const describe = (r: { method: string | { name: string }; task?: string | { name: string }; scale?: string | { name: string } }) =>
    [r.method, r.task, r.scale].map((p) => (p === undefined ? '-' : typeof p === 'string' ? p : p.name)).join(' × ');
  list('recipes (method × task × scale)', [...catalog.recipes.values()].map((r) => [r.name, describe(r)]));
  list('methods', [...catalog.methods.values()].map((m) => [m.name, cite(m.paper) || (m.description ?? '')]));
  list('tasks', [...catalog.tasks.values()].map((t) => [t.name, t.description ?? '']));
  list('scales', [...catalog.scales.values()].map((s) => [s.name, s.description ?? '']));
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
    return { model: loaded.model, tokenizer: loaded.tokenizer ?? byteTokenizerFor(dir, loaded.model) };
  }
  const { seed = 0, ...config } = file.model.tiny as Record<string, unknown> & { seed?: number };
  const tokenizer = new ByteTokenizer();
  return { model: createTinyModel({ vocabSize: tokenizer.vocabSize, ...config } as never, seed), tokenizer };
}

/**
 * The byte tokenizer stands in for a model folder without `tokenizer.json` only when the model has an
 * embedding for every byte id; otherwise the first id past the vocabulary would fail mid-run.
 */
function byteTokenizerFor(dir: string, model: CausalLM): Tokenizer {
  const bytes = new ByteTokenizer();
  const vocab = model.config.vocabSize;
  if (vocab < bytes.vocabSize) {
    model.dispose();
    throw new TirlError(
      `${dir} has no tokenizer.json, and its vocabulary (${vocab} ids) is smaller than the byte tokenizer's (${bytes.vocabSize} ids) that would replace it. Put the model's tokenizer.json (and tokenizer_config.json) into ${dir}`,
      'invalid-data',
    );
  }
  console.log(`${dir} has no tokenizer.json: using the byte tokenizer (${bytes.vocabSize} ids of the model's ${vocab})`);
  return bytes;
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
