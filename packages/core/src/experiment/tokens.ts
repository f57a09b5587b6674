import type * as tf from '@tensorflow/tfjs-core';
import type { InjectionToken } from 'tsyringe';
import type { PluginKind, PluginKinds, PolicyGenerator, Tokenizer, Tool } from '../kinds';
import type { Rng } from '../random/rng';

/** Injection token of a plugin kind: every plugin of that kind is registered under it. */
export function kindToken<K extends PluginKind>(kind: K): InjectionToken<PluginKinds[K]> {
  return Symbol.for(`tirl:kind:${kind}`);
}

/** Injection token of one plugin of the run, by id (`pluginToken('reward/matpo')`). */
export function pluginToken<T = unknown>(id: string): InjectionToken<T> {
  return Symbol.for(`tirl:plugin:${id}`);
}

/** The tools of the run by name (every `tool` plugin). */
export type ToolRegistry = ReadonlyMap<string, Tool>;

/** Services an experiment (or its host) provides to plugins. */
export const Tokens = {
  /** The recipe's resolved settings. */
  settings: Symbol.for('tirl:settings') as InjectionToken<Readonly<Record<string, unknown>>>,
  /** The experiment's root random stream. */
  rng: Symbol.for('tirl:rng') as InjectionToken<Rng>,
  /** A policy the host provides to plugins (e.g. a judge model), when it registered one. */
  policy: Symbol.for('tirl:policy') as InjectionToken<PolicyGenerator>,
  /** The policy being trained (its generating side), registered by the trainer. */
  trainingPolicy: Symbol.for('tirl:training-policy') as InjectionToken<PolicyGenerator>,
  tokenizer: Symbol.for('tirl:tokenizer') as InjectionToken<Tokenizer>,
  /** `(message) => void` for progress lines. */
  logger: Symbol.for('tirl:logger') as InjectionToken<Logger>,
  /** The options of the plugin being constructed (for `@inject(Tokens.options)` in plugin classes). */
  options: Symbol.for('tirl:options') as InjectionToken<Readonly<Record<string, unknown>>>,
  /** The random stream of the plugin being constructed (forked from the experiment seed by its id). */
  pluginRng: Symbol.for('tirl:plugin-rng') as InjectionToken<Rng>,
  /** A frozen model whose per-token log-probs a plugin reads (RTO's DPO-trained model), when the host registered one. */
  tokenRewardModel: Symbol.for('tirl:token-reward-model') as InjectionToken<TokenLogProbModel>,
  /** Every `tool` plugin of the run, by tool name. */
  tools: Symbol.for('tirl:tools') as InjectionToken<ToolRegistry>,
} as const;

/** A model that scores tokens: `[B, T]` log π(ids[t] | ids[<t]) (a `CausalLM` of @tirl/policy is one). */
export interface TokenLogProbModel {
  logProbs(ids: tf.Tensor2D, attentionMask: tf.Tensor2D): { logProbs: tf.Tensor2D };
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
};
