import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tokenizer } from '@tirl/core';
import { checkpointError } from '../errors';
import { readJsonFile } from '../read-json';
import { HfTokenizer } from './hf';

/** A tokenizer that can write itself into a model folder. */
export interface SavableTokenizer extends Tokenizer {
  save(dir: string): void;
}

/**
 * Loads `tokenizer.json` and (if present) `tokenizer_config.json` from a Hugging Face folder. The chat
 * template comes from `chat_template.jinja` or the config's `chat_template` field (string, or a list
 * of `{ name, template }` where `default` is used). Errors name the file and field.
 */
export async function loadTokenizer(dir: string): Promise<HfTokenizer> {
  const file = join(dir, 'tokenizer.json');
  const json = readJsonFile(file);
  if (!json.model || typeof json.model !== 'object') throw checkpointError(file, 'field "model" is missing; this is not a Hugging Face tokenizer.json');
  const configFile = join(dir, 'tokenizer_config.json');
  const config = existsSync(configFile) ? readJsonFile(configFile) : {};
  const jinjaFile = join(dir, 'chat_template.jinja');
  const template = existsSync(jinjaFile) ? readFileSync(jinjaFile, 'utf8') : pickTemplate(config.chat_template, configFile);
  try {
    return new HfTokenizer(json, config, template, file);
  } catch (e) {
    const msg = (e as Error).message;
    throw checkpointError(file, msg.startsWith(file) ? msg.slice(file.length + 2) : `cannot build the tokenizer: ${msg}`);
  }
}

function pickTemplate(value: unknown, file: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.find((t) => t?.name === 'default') ?? value[0];
    if (typeof named?.template === 'string') return named.template;
  }
  throw checkpointError(file, 'field "chat_template" must be a string or a list of { name, template }');
}
