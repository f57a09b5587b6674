import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { formatIssues, TirlError, type RunOverrides, type Sample } from '@tirl/core';
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
      })
      .strict()
      .refine((m) => Boolean(m.path) !== Boolean(m.tiny), { message: 'give exactly one of model.path or model.tiny' }),
    data: z.object({ train: z.string(), eval: z.string().optional() }).strict(),
    runDir: z.string().default('runs/latest'),
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
  };
}

/** `--recipe`, `--method`, `--task`, `--scale` take a name, or a JSON/YAML file holding one. */
export function partArgument(value: string): unknown {
  if (!existsSync(value) || !/\.(json|ya?ml)$/.test(value)) return value;
  return readStructured(value);
}

/** Samples from JSONL: one `{ id, messages, answer?, ... }` per line. */
export function readSamples(path: string): Sample[] {
  if (!existsSync(path)) throw new TirlError(`data file ${path} does not exist`, 'invalid-data');
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      try {
        const s = JSON.parse(line) as Sample;
        if (typeof s.id !== 'string' || !Array.isArray(s.messages)) throw new Error('needs "id" and "messages"');
        return s;
      } catch (e) {
        throw new TirlError(`${path} line ${i + 1}: ${(e as Error).message}`, 'invalid-data');
      }
    });
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
