// tsyringe needs the Reflect metadata polyfill before it is imported: loading it here means every package
// that imports @tirl/core works with a plain `require`, whatever the host loaded first.
import 'reflect-metadata';

export { TirlError, describeThrown, type TirlErrorCode } from './errors';

export * from './kinds';

export {
  definePlugin,
  parsePluginId,
  type AnyPluginDefinition,
  type Paper,
  type PluginContext,
  type PluginDefinition,
} from './plugin/define-plugin';
export { PluginCatalog, unknownPluginError } from './plugin/catalog';
export { closestMatch, editDistance } from './plugin/did-you-mean';
export { formatIssues, parseOptions } from './plugin/options';

export {
  defineMethod,
  defineRecipe,
  defineScale,
  defineTask,
  isEntryOp,
  type EntryOp,
  type Method,
  type MethodSwitch,
  type SwitchValue,
  type PluginEntry,
  type Recipe,
  type RemoveEntry,
  type ReplaceEntry,
  type Scale,
  type Task,
} from './run/define';
export { installedRunCatalog, RunCatalog, type RunParts } from './run/catalog';
export { composeRun, type ComposeOptions, type ResolvedRun, type RunOverrides, type RunSpec } from './run/compose-run';
export { formatRun } from './run/format-run';
export { resolveRecipe, type RecipeOverrides, type ResolveOptions, type ResolvedRecipe } from './recipe/resolve-recipe';
export { deepMerge, parseTypedValue, sortKeys } from './recipe/json';

export {
  createExperiment,
  type CreatedPlugin,
  type Experiment,
  type ExperimentOptions,
} from './experiment/create-experiment';
export { discoverPlugins, loadPluginPackages, type DiscoveredPlugins } from './experiment/package-loader';
export {
  installedPackages,
  loadInstalledPackage,
  nodeModulesPackages,
  type InstalledPackage,
  type NodeModulesOptions,
  type PackageSource,
} from './packages/installed';
export { manifestSchema, parseManifest, type NamedCollection, type TirlManifest } from './packages/manifest';
export { loadNamed, loadPackagePlugins, packagesFromModules, pluginProviders, registerManifestKinds } from './packages/provided';
export { consoleLogger, kindToken, pluginToken, Tokens, type Logger, type TokenLogProbModel, type ToolRegistry } from './experiment/tokens';
export { defineService, type ServiceDefinition, type ServiceEntry } from './experiment/define-service';

export { scoreAll, type ScoreAllOptions, type ScoreAllResult } from './reward/score-all';
export { COMPONENTS_ARE_REWARDS, type NamedReward, type RewardOutputWithFailures } from './reward/types';

export * from './data/trajectory';
export * from './data/tree';
export * from './data/batch';
export * from './data/counts';
export * from './data/jsonl';
export * from './data/append';
export { ByteTokenizer, BYTE_SPECIAL_TOKENS } from './tokenizer/byte';
export * from './data/preference';

export { Rng, type RngState } from './random/rng';
export { chatCompletion, chatCompletionsUrl, type ChatEndpointRequest } from './judge/chat-endpoint';
export { policyReply, type PolicyReplyOptions } from './judge/policy-reply';
export { ensureGradients } from './tensor/gradients';
export {
  BACKEND_ORDER,
  describeBackend,
  initBackend,
  type BackendName,
  type BackendReport,
  type InitBackendOptions,
  type ModuleLoader,
} from './tensor/backend';
export { errorMessage, guardedToolCall, parseToolArgs, toolArgumentsSchema, toolFailure } from './tools/call-guard';
export { isPlainObject as isJsonObject, validateArgs } from './tools/validate-args';
