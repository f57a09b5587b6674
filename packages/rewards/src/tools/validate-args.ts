import { isJsonObject, validateArgs } from '@tirl/core';

/**
 * Whether tool arguments fit a JSON object schema as MATPO checks them: an object, every required field
 * present, every key declared (when the schema lists properties), and every value of its declared type.
 */
export function argsFitSchema(args: unknown, schema: Record<string, unknown>): boolean {
  if (!isJsonObject(args)) return false;
  const declaresKeys = isJsonObject(schema.properties) && Object.keys(schema.properties).length > 0;
  const strict = declaresKeys ? { ...schema, additionalProperties: false } : schema;
  return validateArgs(strict, args).length === 0;
}
