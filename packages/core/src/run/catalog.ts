import { TirlError } from '../errors';
import { installedPackages, type PackageSource } from '../packages/installed';
import { loadNamed } from '../packages/provided';
import { closestMatch } from '../plugin/did-you-mean';
import type { Method, Recipe, Scale, Task } from './define';

/** Methods, tasks, scales and recipes a package exports (each list optional). */
export interface RunParts {
  readonly methods?: Iterable<Method>;
  readonly tasks?: Iterable<Task>;
  readonly scales?: Iterable<Scale>;
  readonly recipes?: Iterable<Recipe>;
}

type PartKind = 'method' | 'task' | 'scale' | 'recipe';

/** Everything `composeRun` can look up by name. */
export class RunCatalog {
  readonly methods = new Map<string, Method>();
  readonly tasks = new Map<string, Task>();
  readonly scales = new Map<string, Scale>();
  readonly recipes = new Map<string, Recipe>();

  /** Packages not loaded yet: loaded one at a time, in order, when a name is not found (see `installedRunCatalog`). */
  private readonly pending: { origin: string; load: () => RunParts | undefined }[] = [];

  constructor(...sources: RunParts[]) {
    for (const s of sources) this.add(s);
  }

  /** Adds a source that is loaded only when a name is not found among those already loaded. */
  addLazy(origin: string, load: () => RunParts | undefined): this {
    this.pending.push({ origin, load });
    return this;
  }

  /** Loads every pending source (for listing everything there is). */
  loadAll(): this {
    while (this.loadNext());
    return this;
  }

  /** Whether a recipe of that name exists (loading pending sources until one is found). */
  hasRecipe(name: string): boolean {
    while (!this.recipes.has(name) && this.loadNext());
    return this.recipes.has(name);
  }

  private loadNext(): boolean {
    const next = this.pending.shift();
    if (!next) return false;
    const parts = next.load();
    if (parts) this.add(parts, next.origin);
    return true;
  }

  /** Adds a package's parts; a second part of one kind with the same name is an error. */
  add(parts: RunParts, origin = 'a package'): this {
    const put = <T extends { name: string }>(map: Map<string, T>, kind: PartKind, list: Iterable<T> | undefined) => {
      for (const item of list ?? []) {
        const existing = map.get(item.name);
        if (existing && existing !== item) {
          throw new TirlError(`Two ${kind}s are named "${item.name}" (the second from ${origin}); rename one`, 'duplicate-plugin');
        }
        map.set(item.name, item);
      }
    };
    put(this.methods, 'method', parts.methods);
    put(this.tasks, 'task', parts.tasks);
    put(this.scales, 'scale', parts.scales);
    put(this.recipes, 'recipe', parts.recipes);
    return this;
  }

  method(name: string): Method {
    return this.find(this.methods, 'method', name);
  }

  task(name: string): Task {
    return this.find(this.tasks, 'task', name);
  }

  scale(name: string): Scale {
    return this.find(this.scales, 'scale', name);
  }

  recipe(name: string): Recipe {
    return this.find(this.recipes, 'recipe', name);
  }

  private find<T>(map: Map<string, T>, kind: PartKind, name: string): T {
    while (!map.has(name) && this.loadNext());
    const found = map.get(name);
    if (found) return found;
    const names = [...map.keys()].sort();
    const guess = closestMatch(name, names);
    throw new TirlError(
      [
        `Unknown ${kind} "${name}".`,
        names.length ? `Known: ${names.join(', ')}.` : `No ${kind}s are loaded: is the package that defines it installed?`,
        guess ? `Did you mean "${guess}"?` : '',
      ]
        .filter(Boolean)
        .join(' '),
      'invalid-recipe',
    );
  }
}

/**
 * The methods, tasks, scales and recipes that installed packages list in their manifests (built-in and
 * third-party alike), checked against each package's exports.
 */
export function installedRunCatalog(source: PackageSource = installedPackages()): RunCatalog {
  return new RunCatalog({
    methods: loadNamed<Method>(source, 'methods'),
    tasks: loadNamed<Task>(source, 'tasks'),
    scales: loadNamed<Scale>(source, 'scales'),
    recipes: loadNamed<Recipe>(source, 'recipes'),
  });
}
