import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { TirlError } from '../errors';
import type { OptionalInput, PluginKind, PluginKinds } from '../kinds';
import { KINDS } from '../kinds';
import { PluginCatalog } from '../plugin/catalog';
import type { AnyPluginDefinition, PluginContext } from '../plugin/define-plugin';
import { parsePluginId } from '../plugin/define-plugin';
import { parseOptions } from '../plugin/options';
import { Rng } from '../random/rng';
import type { ResolvedRecipe } from '../recipe/resolve-recipe';
import type { PackageSource } from '../packages/installed';
import { loadPluginPackages } from './package-loader';
import { registerServiceOverrides } from './register-services';
import type { ServiceEntry } from './define-service';
import { consoleLogger, kindToken, pluginToken, Tokens } from './tokens';

export interface ExperimentOptions {
  /** Definitions known up front; packages named by the recipe are loaded on demand for the rest. */
  plugins?: Iterable<AnyPluginDefinition>;
  /** Where plugin packages are found and loaded; default: the installed packages with a `tirl` manifest. */
  packages?: PackageSource;
  /** Parent container (the host's); the experiment works in a child of it. */
  container?: DependencyContainer;
  /** Seed of the experiment's random streams; defaults to `settings.seed`, else 0. */
  seed?: number;
  /** The host's services, registered before plugins are created (policy, tokenizer, logger ...). */
  services?: readonly [InjectionToken<unknown>, unknown][];
  /**
   * Services that installed packages define (`defineService`), named with options, registered after the
   * host's: each replaces what the host registered under its token, for this experiment only.
   */
  serviceOverrides?: readonly ServiceEntry[];
}

export interface CreatedPlugin {
  id: string;
  kind: PluginKind;
  definition: AnyPluginDefinition;
  options: Readonly<Record<string, unknown>>;
  instance: PluginKinds[PluginKind];
}

/** One run's plugins, each created once in its own child container. */
export interface Experiment {
  readonly recipe: ResolvedRecipe;
  readonly container: DependencyContainer;
  readonly plugins: readonly CreatedPlugin[];
  readonly rng: Rng;
  /** Inputs some plugin declared it requires. */
  readonly requirements: ReadonlySet<OptionalInput>;
  /** The plugin of a single-valued kind; throws when the recipe has none. */
  get<K extends PluginKind>(kind: K): PluginKinds[K];
  /** Like `get`, or undefined. */
  maybe<K extends PluginKind>(kind: K): PluginKinds[K] | undefined;
  /** All plugins of a kind, in recipe order. */
  getAll<K extends PluginKind>(kind: K): PluginKinds[K][];
  /** Serialisable state of every stateful plugin, by id. */
  pluginState(): Record<string, unknown>;
  loadPluginState(state: Record<string, unknown>): void;
  dispose(): Promise<void>;
}

export function createExperiment(recipe: ResolvedRecipe, options: ExperimentOptions = {}): Experiment {
  const catalog = new PluginCatalog(options.plugins ?? []);
  loadPluginPackages(
    recipe.plugins.map((p) => p.id),
    catalog,
    recipe.packages,
    options.packages,
  );

  const validated = recipe.plugins.map((p) => {
    const definition = catalog.get(p.id);
    return { id: p.id, kind: definition.kind, definition, options: parseOptions(p.id, definition.options, p.options) };
  });

  const container = (options.container ?? rootContainer).createChildContainer();
  const seed = options.seed ?? (typeof recipe.settings.seed === 'number' ? recipe.settings.seed : 0);
  const rng = new Rng(seed);
  container.register(Tokens.settings, { useValue: recipe.settings });
  container.register(Tokens.rng, { useValue: rng });
  container.register(Tokens.logger, { useValue: consoleLogger });
  container.register(Tokens.tools, {
    useFactory: (c) => {
      const tools = c.isRegistered(kindToken('tool'), true) ? c.resolveAll(kindToken('tool')) : [];
      return new Map(tools.map((t) => [t.name, t]));
    },
  });
  for (const [token, value] of options.services ?? []) container.register(token, { useValue: value });
  registerServiceOverrides(container, options.serviceOverrides ?? [], options.packages);

  const created = new Map<string, PluginKinds[PluginKind]>();
  const creating: string[] = [];
  const build = (v: (typeof validated)[number]) => {
    if (creating.includes(v.id)) {
      throw new TirlError(`Plugins need each other in a cycle: ${[...creating.slice(creating.indexOf(v.id)), v.id].join(' -> ')}`, 'conflict');
    }
    creating.push(v.id);
    try {
      // Each plugin is built in a scope of its own, where its options and random stream are injectable too.
      const scope = container.createChildContainer();
      const pluginRng = rng.fork(v.id);
      scope.register(Tokens.options, { useValue: v.options });
      scope.register(Tokens.pluginRng, { useValue: pluginRng });
      const ctx: PluginContext = {
        id: v.id,
        container,
        rng: pluginRng,
        settings: recipe.settings,
        services: resolveInjected(v.id, v.definition.inject ?? {}, scope),
        resolve: (token) => scope.resolve(token),
      };
      const instance = v.definition.create(v.options, ctx);
      checkShape(v.id, v.kind, instance);
      created.set(v.id, instance);
      return instance;
    } finally {
      creating.pop();
    }
  };
  // The container creates every plugin: each id is a cached factory, and its kind token points at it,
  // so a plugin that injects another (by id or by kind) gets it created first.
  for (const v of validated) {
    container.register(pluginToken(v.id), { useFactory: instanceCachingFactory(() => build(v)) });
    container.register(kindToken(v.kind), { useToken: pluginToken(v.id) });
  }

  const plugins: CreatedPlugin[] = [];
  const disposeAll = async () => {
    for (const p of [...plugins].reverse()) await (p.instance as { dispose?: () => unknown }).dispose?.();
    plugins.length = 0;
    container.clearInstances();
  };
  try {
    for (const v of validated) container.resolve(pluginToken(v.id));
    for (const v of validated) plugins.push({ ...v, instance: created.get(v.id)! });
    checkAggregationConflict(plugins);
  } catch (e) {
    for (const v of validated) if (created.has(v.id) && !plugins.some((p) => p.id === v.id)) plugins.push({ ...v, instance: created.get(v.id)! });
    void disposeAll();
    throw e;
  }

  const ofKind = <K extends PluginKind>(kind: K) =>
    plugins.filter((p) => p.kind === kind).map((p) => p.instance as PluginKinds[K]);

  return {
    recipe,
    container,
    plugins,
    rng,
    requirements: new Set(plugins.flatMap((p) => p.definition.requires ?? [])),
    get(kind) {
      const found = ofKind(kind);
      if (found.length === 0) {
        throw new TirlError(
          `Recipe "${recipe.name}" has no ${kind} plugin. Add one (e.g. --set ${kind}=NAME) or use a recipe that has one.`,
          'missing-input',
        );
      }
      return found[0];
    },
    maybe: (kind) => ofKind(kind)[0],
    getAll: ofKind,
    pluginState() {
      const state: Record<string, unknown> = {};
      for (const p of plugins) {
        const s = (p.instance as { state?: () => unknown }).state?.();
        if (s !== undefined) state[p.id] = s;
      }
      return state;
    },
    loadPluginState(state) {
      for (const p of plugins) {
        if (state[p.id] !== undefined) (p.instance as { loadState?: (s: unknown) => void }).loadState?.(state[p.id]);
      }
    },
    dispose: disposeAll,
  };
}

/** Resolves a plugin's `inject` map, naming the plugin, the key and the token when nothing provides one. */
function resolveInjected(
  id: string,
  inject: Readonly<Record<string, InjectionToken<unknown>>>,
  scope: DependencyContainer,
): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const [key, token] of Object.entries(inject)) {
    if (!scope.isRegistered(token, true)) {
      throw new TirlError(
        `Plugin "${id}" needs ${describeToken(token)} (inject.${key}), which nothing in this experiment provides. ` +
          'Register it as a service of the host, name a package service that provides it, or add the plugin it names.',
        'missing-input',
      );
    }
    services[key] = scope.resolve(token);
  }
  return services;
}

function describeToken(token: InjectionToken<unknown>): string {
  if (typeof token === 'symbol') return token.description ?? String(token);
  if (typeof token === 'string') return token;
  return (token as { name?: string }).name ?? 'a token';
}

function checkShape(id: string, kind: PluginKind, instance: unknown): void {
  const info = KINDS[kind];
  const missing = info.methods.filter((m) => typeof (instance as Record<string, unknown>)?.[m] !== 'function');
  if (missing.length) {
    throw new TirlError(`Plugin "${id}" created an object without ${missing.join(', ')}: not a valid ${kind}`, 'invalid-data');
  }
}

function checkAggregationConflict(plugins: readonly CreatedPlugin[]): void {
  const objective = plugins.find((p) => p.kind === 'objective');
  const required = (objective?.instance as { requiredAggregation?: string } | undefined)?.requiredAggregation;
  if (!objective || !required) return;
  const chosen = plugins.find((p) => p.kind === 'aggregation');
  if (chosen && parsePluginId(chosen.id).name !== required && chosen.id !== required) {
    throw new TirlError(
      `Plugin "${objective.id}" is defined with aggregation "${required}", but the recipe chose "${chosen.id}". ` +
        `Remove the aggregation override or choose aggregation/${required}.`,
      'conflict',
    );
  }
}
