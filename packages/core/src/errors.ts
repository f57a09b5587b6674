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
  | 'broken-package'
  | 'invalid-recipe'
  | 'invalid-override'
  | 'conflict'
  | 'invalid-data'
  | 'missing-input'
  | 'backend';

/**
 * A message for any thrown value, without ever throwing itself: an `Error`'s message, an object's string
 * `message`, else `String(value)`; values that cannot be printed (a null-prototype object, a throwing
 * `message` getter or `toString`, a hostile Proxy) fall back to their tag or a fixed phrase.
 */
export function describeThrown(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null) {
      const message = (value as { message?: unknown }).message;
      if (typeof message === 'string' && message !== '') return message;
    }
    const text = String(value);
    if (typeof text === 'string') return text;
  } catch {
    // fall through to the tag
  }
  try {
    return `a thrown ${Object.prototype.toString.call(value)} that cannot be printed`;
  } catch {
    return 'a thrown value that cannot be printed';
  }
}
