import type { z } from 'zod';
import { TirlError } from '../errors';

/** Formats zod issues as `field.path: message` lines; unknown keys list the allowed ones. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], allowedKeys?: readonly string[]): string {
  return issues
    .flatMap((issue) => {
      const at = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const allowed = at === '' && allowedKeys ? ` (allowed: ${allowedKeys.join(', ') || 'none'})` : '';
        return issue.keys.map((key) => `${at ? `${at}.` : ''}${key}: unknown option${allowed}`);
      }
      return [`${at || '(options)'}: ${issue.message}`];
    })
    .join('; ');
}

/** The top-level keys of an object schema, when it is one. */
export function schemaKeys(schema: z.ZodType): string[] | undefined {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : undefined;
}

/** Parses options once, at the edge; the result reaches the plugin frozen. */
export function parseOptions<S extends z.ZodType>(pluginId: string, schema: S, raw: unknown): Readonly<z.output<S>> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    throw new TirlError(
      `Invalid options for plugin "${pluginId}": ${formatIssues(result.error.issues, schemaKeys(schema))}`,
      'invalid-options',
    );
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
