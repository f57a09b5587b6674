import type { ToolFormat } from '../../kinds/rollout';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { Rng } from '../../random/rng';
import { check, describeKit, instantiate, type KitOptions } from './common';
import { echoTool } from './doubles';

export interface ToolFormatCase {
  /** Model text, as generated (a turn ending in a stop string, or an answer). */
  text: string;
  /** Calls it must parse to, in order. */
  calls?: { name: string; args: unknown }[];
  /** The answer it must parse to, when it gives one. */
  answer?: string;
  /** Unparsable calls it must report. */
  errors?: number;
  options?: Record<string, unknown>;
}

export interface ToolFormatKitOptions extends KitOptions {
  /** Texts in the format with what they parse to (at least one call and one answer). */
  cases: ToolFormatCase[];
  /** Random texts to parse (default 300). */
  fuzz?: number;
}

/** Random text built from the format's own markers and JSON punctuation. */
function fuzzText(rng: Rng, markers: readonly string[]): string {
  const atoms = [...markers, '{', '}', '"name"', ':', '"arguments"', '<', '>', '/', '[', ']', ',', ' ', '\n', 'x', '42', '"', '\\', 'é', '<answer>', '</answer>'];
  let s = '';
  const n = rng.int(24);
  for (let i = 0; i < n; i++) s += atoms[rng.int(atoms.length)];
  return s;
}

/**
 * The behavioural kit of kind `toolFormat`: the given texts parse to the given calls and answers; parse
 * never throws on random text made of the format's own markers and always returns call and error lists;
 * observations appear in call order; every tool is described by name; stop strings are non-empty;
 * parsing is deterministic.
 */
export function runToolFormatKit(def: AnyPluginDefinition, kit: ToolFormatKitOptions): void {
  const make = (c?: ToolFormatCase) => instantiate<ToolFormat>(def, { ...(kit.valid ?? {}), ...(c?.options ?? {}) }, kit);
  describeKit(def, 'toolFormat', kit, () => {
    check(kit, 'shape', 'the given texts parse to their calls, answers and errors', () => {
      if (!kit.cases.length) throw new Error(`${def.id}: the toolFormat kit needs cases`);
      for (const c of kit.cases) {
        const parsed = make(c).parse(c.text);
        expect(parsed.calls.map((x) => ({ name: x.name, args: x.args }))).toEqual(c.calls ?? []);
        if (c.answer !== undefined) expect(parsed.answer).toBe(c.answer);
        expect(parsed.errors).toHaveLength(c.errors ?? 0);
        for (const call of parsed.calls) expect(c.text).toContain(call.raw);
      }
    });

    check(kit, 'bad-input', 'parse never throws on random text and returns call and error lists', () => {
      const format = make();
      const markers = [...format.stopStrings, ...kit.cases.flatMap((c) => c.text.match(/<\/?[a-zA-Z_]+>|\[[A-Z_]+\]/g) ?? [])];
      const rng = new Rng(kit.seed ?? 0);
      for (let i = 0; i < (kit.fuzz ?? 300); i++) {
        const text = fuzzText(rng, markers);
        let parsed;
        try {
          parsed = format.parse(text);
        } catch (e) {
          throw new Error(`${def.id}: parse threw on ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`);
        }
        expect(Array.isArray(parsed.calls) && Array.isArray(parsed.errors)).toBe(true);
        for (const call of parsed.calls) expect(typeof call.name).toBe('string');
      }
    });

    check(kit, 'shape', 'observations appear in call order; tools are described by name; stop strings are non-empty', () => {
      const format = make();
      for (const s of format.stopStrings) expect(s.length).toBeGreaterThan(0);
      const text = format.renderObservations([
        { name: 'echo', result: { ok: true, observation: 'first observation' } },
        { name: 'echo', result: { ok: false, observation: 'second observation', error: 'schema' } },
      ]);
      expect(text.indexOf('first observation')).toBeGreaterThanOrEqual(0);
      expect(text.indexOf('second observation')).toBeGreaterThan(text.indexOf('first observation'));
      const described = format.describeTools([echoTool('echo'), echoTool('lookup_table')]);
      expect(described).toContain('echo');
      expect(described).toContain('lookup_table');
    });

    check(kit, 'determinism', 'parsing the same text twice gives the same result', () => {
      for (const c of kit.cases) expect(make(c).parse(c.text)).toEqual(make(c).parse(c.text));
    });
  });
}
