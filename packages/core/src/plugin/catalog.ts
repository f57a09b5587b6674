import { TirlError } from '../errors';
import type { AnyPluginDefinition } from './define-plugin';
import { parsePluginId } from './define-plugin';
import { closestMatch } from './did-you-mean';

/** Plugin definitions by id. One per experiment; never global. */
export class PluginCatalog {
  private readonly byId = new Map<string, AnyPluginDefinition>();

  constructor(definitions: Iterable<AnyPluginDefinition> = []) {
    for (const def of definitions) this.add(def);
  }

  add(def: AnyPluginDefinition): this {
    if (this.byId.has(def.id)) throw new TirlError(`Plugin "${def.id}" is already registered`, 'duplicate-plugin');
    this.byId.set(def.id, def);
    return this;
  }

  /** Adds what is not there yet (the same definition object twice is fine). */
  addAll(defs: Iterable<AnyPluginDefinition>): this {
    for (const def of defs) if (this.byId.get(def.id) !== def) this.add(def);
    return this;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): AnyPluginDefinition {
    const def = this.byId.get(id);
    if (!def) throw unknownPluginError(id, this.list());
    return def;
  }

  /** Definitions in id order, optionally of one kind. */
  list(kind?: string): AnyPluginDefinition[] {
    return [...this.byId.values()].filter((d) => !kind || d.kind === kind).sort((a, b) => a.id.localeCompare(b.id));
  }
}

/**
 * `Unknown advantage "grop". Known: gae, grpo, rloo. Did you mean "grpo"?` — `known` holds the loaded
 * definitions and the ids that installed manifests list.
 */
export function unknownPluginError(id: string, known: readonly { kind: string; name: string }[]): TirlError {
  const { kind, name } = parsePluginId(id);
  const names = [...new Set(known.filter((d) => d.kind === kind).map((d) => d.name))].sort();
  const guess = closestMatch(name, names);
  const parts = [
    `Unknown ${kind} "${name}".`,
    names.length
      ? `Known: ${names.join(', ')}.`
      : `No installed package provides ${kind} plugins (a package lists what it provides in the "tirl" field of its package.json).`,
    guess ? `Did you mean "${guess}"?` : '',
  ];
  return new TirlError(parts.filter(Boolean).join(' '), 'unknown-plugin');
}
