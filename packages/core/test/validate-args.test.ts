import { z } from 'zod';
import { toolArgumentsSchema, validateArgs } from '../src';

const closed = {
  type: 'object',
  properties: { query: { type: 'string' } },
  required: ['query'],
  additionalProperties: false,
};

describe('validateArgs: keys named like Object.prototype members', () => {
  it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__proto__'])(
    'rejects an extra argument "%s" when additionalProperties is false',
    (key) => {
      // JSON.parse makes "__proto__" an own key, exactly as a model's arguments arrive.
      const args = JSON.parse(`{"query": "x", ${JSON.stringify(key)}: 1}`);
      expect(validateArgs(closed, args)).toEqual([`arguments.${key}: unknown argument (allowed: query)`]);
    },
  );

  it('reports a missing required argument named "constructor"', () => {
    const schema = { type: 'object', properties: { constructor: { type: 'string' } }, required: ['constructor'] };
    expect(validateArgs(schema, {})).toEqual(['arguments.constructor: required argument is missing']);
    expect(validateArgs(schema, { constructor: 'x' })).toEqual([]);
  });

  it('validates a declared prototype-named argument against its own schema', () => {
    const schema = { type: 'object', properties: { toString: { type: 'number' } }, additionalProperties: false };
    expect(validateArgs(schema, { toString: 'no' })).toEqual(['arguments.toString: expected number, got string']);
  });

  it('accepts ordinary valid arguments and reports the usual problems', () => {
    expect(validateArgs(closed, { query: 'a' })).toEqual([]);
    expect(validateArgs(closed, {})).toEqual(['arguments.query: required argument is missing']);
    expect(validateArgs(closed, { query: 1 })).toEqual(['arguments.query: expected string, got integer']);
  });
});

describe('toolArgumentsSchema', () => {
  it('puts an object type on top of a union of argument shapes, as function-calling APIs require', () => {
    const union = z.discriminatedUnion('op', [z.object({ op: z.literal('a') }).strict(), z.object({ op: z.literal('b'), n: z.number() }).strict()]);
    const json = toolArgumentsSchema(union);
    expect(json.type).toBe('object');
    expect(Array.isArray(json.anyOf ?? json.oneOf)).toBe(true);
    expect(validateArgs(json, 'not an object')).toEqual(['arguments: expected object, got string']);
  });
});
