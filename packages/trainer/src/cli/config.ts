import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { formatIssues, preferenceProblem, segmentImageProblem, TirlError, type RunOverrides, type Sample, type ServiceEntry } from '@tirl/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** An experiment file (`--config exp.yaml`): where the model and data come from, and recipe overrides. */
export const experimentFileSchema = z
  .object({
    model: z
      .object({
        /** A Hugging Face model folder. */
        path: z.string().optional(),
        /** Or a freshly initialised tiny model: config fields and a seed. */
        tiny: z.record(z.string(), z.unknown()).optional(),
        /** Train LoRA adapters (`{ r, alpha, dropout, targetModules, useRslora }`); flags `--lora.*` override. */
        lora: z.record(z.string(), z.unknown()).optional(),
        /** Start from this PEFT adapter folder. */
        adapter: z.string().optional(),
        /** Recompute each layer in the backward pass (less memory, ~1/3 more compute). */
        gradientCheckpointing: z.boolean().optional(),
      })
      .strict()
      .refine((m) => Boolean(m.path) !== Boolean(m.tiny), { message: 'give exactly one of model.path or model.tiny' }),
    /** JSONL samples (`--data` overrides `train`); a sample with `preference` {chosen, rejected} feeds offline preference training. */
    data: z.object({ train: z.string().optional(), eval: z.string().optional() }).strict().default({}),
    runDir: z.string().default('runs/latest'),
    /**
     * Package services for this experiment (`[name, options]`): each is registered under its token after
     * the trainer's own services and replaces them (a tokenizer, a logger, a judge ...).
     */
    services: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown()).optional()])).optional(),
    /** Installed packages whose plugins the file adds (named in the install hint when one is missing). */
    packages: z.array(z.string().min(1)).optional(),
    plugins: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown()).optional()])).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    remove: z.array(z.string()).optional(),
    /** Method switches, e.g. `{ compat: released-code }`. */
    switches: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type ExperimentFile = z.output<typeof experimentFileSchema>;

export function readExperimentFile(path: string): ExperimentFile {
  const raw = readStructured(path);
  const parsed = experimentFileSchema.safeParse(raw);
  if (!parsed.success) throw new TirlError(`${path}: ${formatIssues(parsed.error.issues)}`, 'invalid-options');
  return parsed.data;
}

/** The config file's overrides, named after the file in the run's provenance. */
export function overridesOf(file: ExperimentFile, path = 'config'): RunOverrides {
  return {
    from: `config:${path}`,
    plugins: file.plugins?.map(([id, o]) => [id, o ?? {}] as const),
    settings: file.settings,
    remove: file.remove,
    switches: file.switches,
    packages: file.packages,
  };
}

/** The file's package services, as `train` and `evaluate` take them. */
export function serviceEntries(file: ExperimentFile): ServiceEntry[] {
  return (file.services ?? []).map(([name, options]) => [name, options ?? {}] as const);
}

/** `--recipe`, `--method`, `--task`, `--scale` take a name, or a JSON/YAML file holding one. */
export function partArgument(value: string): unknown {
  if (!existsSync(value) || !/\.(json|ya?ml)$/.test(value)) return value;
  return readStructured(value);
}

const ROLES = ['system', 'user', 'assistant', 'tool'];

/**
 * Samples from JSONL: one `{ id, messages, answer?, ... }` per line; a message may carry `images`
 * (`{ width, height, rgbBase64 }`, 8-bit RGB) for a vision-language model. Every problem names the file and
 * line: a folder instead of a file, a line that is not JSON, a missing id, a message without a known
 * `role` or a string `content`, an id used twice.
 */
export function readSamples(path: string): Sample[] {
  if (!existsSync(path)) throw new TirlError(`data file ${path} does not exist`, 'invalid-data');
  if (statSync(path).isDirectory()) throw new TirlError(`data file ${path} is a folder; give a JSONL file (one {"id", "messages"} per line)`, 'invalid-data');
  const firstLine = new Map<string, number>();
  const samples: Sample[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const at = `${path} line ${i + 1}`;
      let s: Sample;
      try {
        s = JSON.parse(line) as Sample;
      } catch (e) {
        throw new TirlError(`${at}: ${(e as Error).message}`, 'invalid-data');
      }
      const problem = sampleProblem(s);
      if (problem) throw new TirlError(`${at}: ${problem}`, 'invalid-data');
      const seen = firstLine.get(s.id);
      if (seen !== undefined) throw new TirlError(`${at}: duplicate sample id "${s.id}" (first on line ${seen}); ids must be unique`, 'invalid-data');
      firstLine.set(s.id, i + 1);
      samples.push(s);
    });
  return samples;
}

function sampleProblem(s: unknown): string | undefined {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return 'needs "id" and "messages"';
  const { id, messages } = s as Sample;
  if (typeof id !== 'string' || !Array.isArray(messages)) return 'needs "id" and "messages"';
  if (messages.length === 0) return '"messages" is empty; give at least one {"role": "user", "content": ...}';
  for (const [j, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null) return `messages[${j}] must be an object {"role", "content"}`;
    if (!ROLES.includes(m.role)) return `messages[${j}].role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(m.role) ?? 'nothing'}`;
    if (typeof m.content !== 'string') return `messages[${j}].content must be a string; got ${JSON.stringify(m.content) ?? 'nothing'}`;
    if (m.images !== undefined) {
      if (!Array.isArray(m.images)) return `messages[${j}].images must be a list of images {"width", "height", "rgbBase64"} (8-bit RGB, base64)`;
      for (const [k, image] of m.images.entries()) {
        const problem = segmentImageProblem(image, `messages[${j}].images[${k}]`);
        if (problem) return problem;
      }
    }
  }
  return preferenceProblem((s as Sample).preference);
}

function readStructured(path: string): unknown {
  if (!existsSync(path)) throw new TirlError(`${path} does not exist`, 'invalid-data');
  const text = readFileSync(path, 'utf8');
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new TirlError(`${path}: ${(e as Error).message.split('\n')[0]}`, 'invalid-data');
  }
}
