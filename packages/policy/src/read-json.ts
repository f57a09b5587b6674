import { existsSync, readFileSync } from 'node:fs';
import { checkpointError } from './errors';

/** A checkpoint's or tokenizer's JSON object; a missing file or bad JSON is an error naming the file. */
export function readJsonFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw checkpointError(file, 'file not found');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw checkpointError(file, `not valid JSON (${(e as Error).message})`);
  }
}
