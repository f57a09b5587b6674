import { TirlError } from '@tirl/core';

/** An error about a checkpoint or tokenizer file; the message names the file and the tensor or field. */
export function checkpointError(file: string, message: string): TirlError {
  return new TirlError(`${file}: ${message}`, 'invalid-data');
}
