#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { composeRun, describeBackend, discoverPlugins, formatRun, initBackend, installedPackages, installedRunCatalog, TirlError, type RunSpec } from '@tirl/core';
import { assertFits, formatMemoryPlan, VlmPolicy, type HfTokenizer } from '@tirl/policy';
import { evaluate } from '../eval';
import { writeReport } from '../report/charts';
import { loadScaleOut, type QueueOptions } from '../rollouts/queue';
import type { SwarmOptions } from '../rollouts/swarm';
import { train } from '../run';
import { overridesOf, serviceEntries, partArgument, readExperimentFile, readSamples } from './config';
import { exportModel, loadModelFor, loraOptionsOf, MODEL_FLAGS, modelConfigOf, planRun, visionRowPlan } from './model-setup';
import { parseTrainerSettings } from '../settings';
import { startViewServer } from '../view/server';

const USAGE = `tirl — tool-integrated RL

  tirl train   RUN --config exp.yaml [--data train.jsonl] [--set path=value ...] [--resume | --overwrite] [--strict] [--dry-run]
               [--lora.r 16 --lora.alpha 32 --lora.dropout 0.05 --lora.target-modules q_proj,v_proj --lora.rslora]
               [--lora.adapter PEFT_DIR] [--gradient-checkpointing]
               [--queue redis://HOST:PORT[/DB] [--run ID] [--weight-dir DIR|s3://BUCKET/PREFIX] [--publish full|trainable] [--journal FILE]]
               [--swarm redis://HOST:PORT[/DB] --node NAME [--swarm-id ID] [--swarm-wait SECONDS]]   (Swarm SAPO)
  tirl worker  --queue redis://HOST:PORT[/DB] [--run ID] [--concurrency N] [--name NAME]
  tirl status  --queue redis://HOST:PORT[/DB] [--run ID]
  tirl eval    RUN --config exp.yaml [--checkpoint DIR] [--set path=value ...]
  tirl export  --config exp.yaml --checkpoint DIR --out DIR [--merged] [--dtype float32|bfloat16|float16]
  tirl report  RUN_DIR
  tirl view    RUN_DIR [RUN_DIR ...] [--port 6007] [--host 127.0.0.1] [--poll-ms 2000]
               (a local web page: live metrics of the runs overlaid, and each step's trajectories)
  tirl recipes [RUN] [--packages] [--set path=value ...]   (no RUN: list recipes, methods, tasks, scales;
                                                          --packages: the npm install line RUN needs)
  tirl --help
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
  data: { type: 'string' },
  set: { type: 'string', multiple: true },
  resume: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  strict: { type: 'boolean' },
  checkpoint: { type: 'string' },
  packages: { type: 'boolean' },
  queue: { type: 'string' },
  run: { type: 'string' },
  'weight-dir': { type: 'string' },
  publish: { type: 'string' },
  journal: { type: 'string' },
  swarm: { type: 'string' },
  'swarm-id': { type: 'string' },
  'swarm-wait': { type: 'string' },
  node: { type: 'string' },
  concurrency: { type: 'string' },
  name: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'poll-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...MODEL_FLAGS,
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
      return printRecipes(positionals[0] ?? values.recipe, values, sets, values.packages === true);
    case 'plugins':
      return printPlugins(positionals[0]);
    case 'report': {
      if (!positionals[0]) throw new TirlError(`tirl report needs RUN_DIR\n\n${USAGE}`, 'invalid-options');
      for (const f of await writeReport(positionals[0])) console.log(f);
      return 0;
    }
    case 'view':
      return serveView(positionals, values);
    case 'worker':
    case 'status':
      return runQueueCommand(command, values);
    case 'train':
    case 'eval': {
      const spec = runSpec(values.recipe, values, command);
      const configPath = required(values.config, '--config', command);
      const file = readExperimentFile(configPath);
      const recipe = composeRun({ ...spec, overrides: [overridesOf(file, configPath), sets] });
      parseTrainerSettings(recipe.settings);
      console.log(formatRun(recipe));
      const backend = await initBackend();
      console.log(describeBackend(backend));
      const lora = loraOptionsOf(file, values);
      const checkpointing = values['gradient-checkpointing'] ?? file.model.gradientCheckpointing ?? false;
      const dataPath = command === 'train' ? (values.data ?? file.data.train) : file.data.eval;
      const vision = await visionRowPlan(file, recipe, () => (dataPath ? readSamples(dataPath) : []));
      const plan = planRun(modelConfigOf(file), recipe, lora, backend.tfBackend, checkpointing, vision);
      console.log(formatMemoryPlan(plan));
      if (vision) console.log(`vision-language model: ${vision.note}; ${vision.imageFramesPerRow} frames per row`);
      if (values['dry-run']) {
        if (!plan.fits) assertFits(plan);
        console.log('dry run: the plan fits; nothing was loaded or trained');
        return 0;
      }
      if (command === 'train') assertFits(plan);
      const { model, tokenizer, vision: vlm } = await loadModelFor(file, { checkpoint: values.checkpoint, lora, adapterDir: values['lora.adapter'], gradientCheckpointing: checkpointing });
      if (command === 'train') {
        const dataset = readSamples(required(values.data ?? file.data.train, '--data FILE or data.train in the config', command));
        await train({
          recipe,
          model,
          tokenizer,
          dataset,
          runDir: file.runDir,
          resume: values.resume,
          overwrite: values.overwrite,
          strict: values.strict,
          serviceOverrides: serviceEntries(file),
          queue: values.queue ? queueOptions(values) : undefined,
          swarm: values.swarm ? swarmOptions(values) : undefined,
          ...(vlm ? { vision: vlm } : {}),
        });
      } else {
        const data = required(file.data.eval, 'data.eval in the config', command);
        const policy = vlm ? new VlmPolicy(vlm.model, vlm.processor, tokenizer as HfTokenizer) : undefined;
        const result = await evaluate({ recipe, model, tokenizer, ...(policy ? { policy } : {}), dataset: readSamples(data), serviceOverrides: serviceEntries(file) });
        console.log(JSON.stringify(result.metrics, null, 2));
      }
      (vlm?.model ?? model).dispose();
      return 0;
    }
    case 'export': {
      const file = readExperimentFile(required(values.config, '--config', command));
      const checkpoint = required(values.checkpoint, '--checkpoint', command);
      const out = required(values.out, '--out', command);
      const { model, tokenizer, vision: vlm } = await loadModelFor(file, { checkpoint });
      try {
        console.log(await exportModel(model, tokenizer, out, { merged: values.merged, dtype: values.dtype, basePath: file.model.path, ...(vlm ? { vision: vlm } : {}) }));
      } finally {
        (vlm?.model ?? model).dispose();
      }
      return 0;
    }
    default:
      throw new TirlError(`Unknown command "${command}".\n\n${USAGE}`, 'invalid-options');
  }
}

function queueOptions(values: { queue?: string; run?: string; 'weight-dir'?: string; publish?: string; journal?: string }): QueueOptions {
  if (values.publish !== undefined && values.publish !== 'full' && values.publish !== 'trainable') {
    throw new TirlError(`--publish "${values.publish}" is not known. Use full (every weight) or trainable (adapters only).`, 'invalid-options');
  }
  return {
    url: values.queue!,
    ...(values.run ? { runId: values.run } : {}),
    ...(values['weight-dir'] ? { weightDir: values['weight-dir'] } : {}),
    ...(values.publish ? { publish: values.publish as 'full' | 'trainable' } : {}),
    ...(values.journal ? { journal: values.journal } : {}),
  };
}

function swarmOptions(values: { swarm?: string; node?: string; 'swarm-id'?: string; 'swarm-wait'?: string }): SwarmOptions {
  const node = required(values.node, '--node (this node\'s name in the swarm)', 'train --swarm');
  const wait = values['swarm-wait'] === undefined ? 0 : Number(values['swarm-wait']);
  if (!Number.isFinite(wait) || wait < 0) throw new TirlError(`--swarm-wait "${values['swarm-wait']}" must be a number of seconds ≥ 0.`, 'invalid-options');
  return { url: values.swarm!, node, waitSeconds: wait, ...(values['swarm-id'] ? { swarmId: values['swarm-id'] } : {}) };
}

/** `tirl worker` and `tirl status`, from @tirl/scale-out (loaded on demand). */
async function runQueueCommand(command: 'worker' | 'status', values: { queue?: string; run?: string; concurrency?: string; name?: string }): Promise<number> {
  const url = required(values.queue, '--queue', command);
  const mod = loadScaleOut();
  if (command === 'status') {
    console.log(mod.formatStatus(await mod.queueStatus(url, values.run)));
    return 0;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new TirlError(`--concurrency "${values.concurrency}" must be a positive integer (rollouts in flight on this worker)`, 'invalid-options');
  }
  console.log(describeBackend(await initBackend()));
  const worker = await mod.RolloutWorker.start({ url, runId: values.run, concurrency, name: values.name });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('worker: stopping after the rollouts in flight');
  await worker.close();
  return 0;
}

/** `tirl view`: serves the viewer until SIGINT/SIGTERM. */
async function serveView(runDirs: string[], values: { host?: string; port?: string; 'poll-ms'?: string }): Promise<number> {
  if (!runDirs.length) throw new TirlError(`tirl view needs RUN_DIR (a folder a training run wrote)\n\n${USAGE}`, 'invalid-options');
  const int = (flag: string, v: string | undefined, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > 65535 * 1000) throw new TirlError(`--${flag} "${v}" must be an integer ≥ ${min}`, 'invalid-options');
    return n;
  };
  const view = await startViewServer({ runDirs, host: values.host, port: int('port', values.port, 0), pollMs: int('poll-ms', values['poll-ms'], 100) });
  console.log(`tirl view: ${view.url} (${runDirs.join(', ')}); Ctrl-C stops it`);
  if (values.host && !['127.0.0.1', 'localhost', '::1'].includes(values.host)) console.log(`tirl view: listening on ${values.host}: anyone who can reach it can read these runs`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await view.close();
  return 0;
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

/** The trainer's own packages: every install line starts with them. */
const HOST_PACKAGES = ['@tirl/core', '@tirl/policy', '@tirl/trainer'];

function printRecipes(name: string | undefined, flags: PartFlags, sets: string[], packages: boolean): number {
  const catalog = installedRunCatalog();
  if (!catalog.recipes.size && !catalog.methods.size) {
    throw new TirlError('No installed package provides recipes or methods. Run: npm install @tirl/recipes', 'missing-package');
  }
  if (name || flags.method) {
    const run = composeRun({ ...runSpec(name, flags, 'recipes'), overrides: [sets] }, { catalog });
    if (packages) {
      const named = new Set([...run.chain, run.name, run.task, run.scale].filter((n): n is string => typeof n === 'string'));
      const providers = installedPackages()
        .list()
        .filter((p) => [p.manifest.methods, p.manifest.recipes, p.manifest.tasks, p.manifest.scales].some((l) => l?.some((n) => named.has(n))))
        .map((p) => p.name);
      console.log(`npm install ${[...new Set([...HOST_PACKAGES, ...providers, ...run.packages])].join(' ')}`);
      return 0;
    }
    console.log(formatRun(run));
    console.log(JSON.stringify(run, null, 2));
    return 0;
  }
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
  const { catalog, packages, failed } = discoverPlugins();
  const owner = new Map(packages.flatMap((p) => (p.manifest.plugins ?? []).map((id) => [id, p.name] as const)));
  for (const def of catalog.list(kind)) console.log(`${def.id.padEnd(40)} ${(owner.get(def.id) ?? '').padEnd(28)} ${def.summary}`);
  for (const f of failed) console.log(`\nnot loaded: ${f.reason}`);
  return 0;
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
