import 'reflect-metadata';
import { container } from 'tsyringe';
import { TirlError } from '../errors';
import { KINDS } from '../kinds';
import type { AnyPluginDefinition, PluginContext } from '../plugin/define-plugin';
import { parseOptions } from '../plugin/options';
import { Rng } from '../random/rng';
import { expectNoLeaks } from './leaks';

export interface ContractOptions {
  /** Options that must be accepted (default `{}`). */
  valid?: Record<string, unknown>;
  /** Options that must be rejected, with the field the message must name. */
  invalid?: { options: Record<string, unknown>; field: string }[];
  /** Settings for the plugin context. */
  settings?: Record<string, unknown>;
  /** Creates the instance (default: `def.create` with a test context). */
  create?: (ctx: PluginContext) => unknown;
}

/** A plugin context for unit tests: fresh child container, seeded rng. */
export function testPluginContext(id: string, settings: Record<string, unknown> = {}, seed = 0): PluginContext {
  const child = container.createChildContainer();
  return { id, container: child, rng: new Rng(seed), settings, services: {}, resolve: (t) => child.resolve(t) };
}

/** The contract every plugin of every kind must meet. */
export function describePlugin(def: AnyPluginDefinition, contract: ContractOptions = {}): void {
  describe(`${def.id} (plugin contract)`, () => {
    it('has a kebab-case id of a known kind and a summary', () => {
      expect(def.id).toBe(`${def.kind}/${def.name}`);
      expect(def.name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(Object.keys(KINDS)).toContain(def.kind);
      expect(def.summary.length).toBeGreaterThan(10);
    });

    it('accepts its valid options and rejects an unknown key by name', () => {
      expect(() => parseOptions(def.id, def.options, contract.valid ?? {})).not.toThrow();
      const bad = { ...(contract.valid ?? {}), notAnOption: 1 };
      expect(() => parseOptions(def.id, def.options, bad)).toThrow(/notAnOption: unknown option/);
    });

    for (const bad of contract.invalid ?? []) {
      it(`rejects bad ${bad.field} naming the field`, () => {
        const run = () => parseOptions(def.id, def.options, { ...(contract.valid ?? {}), ...bad.options });
        expect(run).toThrow(TirlError);
        expect(run).toThrow(new RegExp(`"${def.id}".*${bad.field.replace(/\./g, '\\.')}`));
      });
    }

    it('creates an instance of its kind without leaking tensors, and its state round-trips', async () => {
      await expectNoLeaks(async () => {
        const ctx = testPluginContext(def.id, contract.settings);
        const instance = (contract.create?.(ctx) ??
          def.create(parseOptions(def.id, def.options, contract.valid ?? {}), ctx)) as Record<string, unknown>;
        for (const method of KINDS[def.kind].methods) expect(typeof instance[method]).toBe('function');
        if (typeof instance.state === 'function') {
          const state = JSON.parse(JSON.stringify((instance.state as () => unknown)()));
          expect(typeof instance.loadState).toBe('function');
          (instance.loadState as (s: unknown) => void)(state);
          expect(JSON.parse(JSON.stringify((instance.state as () => unknown)()))).toEqual(state);
        }
        await (instance.dispose as (() => unknown) | undefined)?.call(instance);
      }, def.id);
    });
  });
}
