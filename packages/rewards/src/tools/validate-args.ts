/**
 * Whether tool arguments fit a JSON object schema as MATPO checks them: an object, every required field
 * present, every key declared (when the schema lists properties), and every value of its declared type.
 */
export function argsFitSchema(args: unknown, schema: Record<string, unknown>): boolean {
  if (!args || typeof args !== 'object' || Array.isArray(args)) return false;
  const properties = (schema.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const a = args as Record<string, unknown>;
  if (required.some((k) => !(k in a))) return false;
  const declared = Object.keys(properties);
  for (const [k, v] of Object.entries(a)) {
    if (declared.length > 0 && !(k in properties)) return false;
    const type = properties[k]?.type;
    if (type !== undefined && !(Array.isArray(type) ? type : [type]).some((ty) => hasType(v, ty))) return false;
  }
  return true;
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return !!v && typeof v === 'object' && !Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return true;
  }
}
