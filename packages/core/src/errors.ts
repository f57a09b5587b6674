/** Every error tirl raises on bad input: the message names the origin, what is allowed, and the fix. */
export class TirlError extends Error {
  constructor(
    message: string,
    readonly code: TirlErrorCode,
  ) {
    super(message);
    this.name = 'TirlError';
  }
}

export type TirlErrorCode =
  | 'unknown-plugin'
  | 'duplicate-plugin'
  | 'invalid-options'
  | 'missing-package'
  | 'invalid-recipe'
  | 'invalid-override'
  | 'conflict'
  | 'invalid-data'
  | 'missing-input'
  | 'backend';
