import { TirlError } from '../errors';
import { builtInPackages, requireModule, type ModuleLoader } from '../experiment/package-loader';
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

  constructor(...sources: RunParts[]) {
    for (const s of sources) this.add(s);
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
 * The methods, tasks, scales and recipes of every installed built-in package (each package's `methods`,
 * `tasks`, `scales` and `recipes` exports). A package that is not installed is skipped.
 */
export function installedRunCatalog(load: ModuleLoader = requireModule, packages: readonly string[] = ['@tirl/recipes', ...builtInPackages()]): RunCatalog {
  const catalog = new RunCatalog();
  for (const pkg of packages) {
    let mod: unknown;
    try {
      mod = load(pkg);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(pkg)) continue;
      throw new TirlError(`Loading ${pkg} failed: ${err.message}`, 'missing-package');
    }
    catalog.add(mod as RunParts, pkg);
  }
  return catalog;
}
