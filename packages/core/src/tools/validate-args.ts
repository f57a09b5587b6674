import type { JsonSchema } from '../kinds';

/**
 * Validates tool arguments against the common subset of JSON Schema that tool definitions use:
 * `type` (one or a list), `required`, `properties`, `additionalProperties` (boolean or schema), `enum`,
 * `items`. Other keywords are ignored. Returns one readable message per violation (empty when valid).
 * Keys are looked up as own properties only, so `toString`, `constructor` or `__proto__` are arguments
 * like any other (never inherited schema entries or inherited values).
 */
export function validateArgs(schema: JsonSchema, value: unknown, path = 'arguments'): string[] {
  const errors: string[] = [];
  const types = schema.type === undefined ? undefined : ([] as unknown[]).concat(schema.type).map(String);
  if (types && !types.some((t) => hasType(value, t))) {
    return [`${path}: expected ${types.join(' or ')}, got ${typeName(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  if (isPlainObject(value)) {
    const props = isPlainObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
    for (const key of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
      if (!Object.hasOwn(value, key)) errors.push(`${path}.${key}: required argument is missing`);
    }
    for (const [key, v] of Object.entries(value)) {
      if (Object.hasOwn(props, key)) errors.push(...validateArgs(props[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) {
        const known = Object.keys(props);
        errors.push(`${path}.${key}: unknown argument (allowed: ${known.length ? known.join(', ') : 'none'})`);
      } else if (isPlainObject(schema.additionalProperties)) {
        errors.push(...validateArgs(schema.additionalProperties as JsonSchema, v, `${path}.${key}`));
      }
    }
  }
  if (Array.isArray(value) && isPlainObject(schema.items)) {
    value.forEach((v, i) => errors.push(...validateArgs(schema.items as JsonSchema, v, `${path}[${i}]`)));
  }
  return errors;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isPlainObject(v);
    default:
      return true;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isInteger(v)) return 'integer';
  return typeof v;
}
