import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { z } from 'zod';
import { TirlError } from '../errors';

/**
 * A service a package offers for a run: registered under `token` in the experiment's container, in place
 * of what the host registered there (the tokenizer, the logger, a judge ...), when an experiment names it.
 */
export interface ServiceDefinition<T = unknown, S extends z.ZodType = z.ZodType> {
  /** kebab-case, unique among installed packages; listed under `services` in the package's manifest. */
  readonly name: string;
  readonly summary: string;
  readonly token: InjectionToken<T>;
  readonly options: S;
  /** Builds the service; `container` is the experiment's, with the host's services already in it. */
  create(options: Readonly<z.output<S>>, container: DependencyContainer): T;
}

/** `[serviceName, options]`, as an experiment file or `train({ serviceOverrides })` names one. */
export type ServiceEntry = readonly [name: string, options?: Record<string, unknown>];

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function defineService<T, S extends z.ZodType>(def: ServiceDefinition<T, S>): ServiceDefinition<T, S> {
  if (!NAME.test(def.name)) throw new TirlError(`defineService: name "${def.name}" must be kebab-case`, 'invalid-data');
  if (!def.summary?.trim()) throw new TirlError(`defineService: "${def.name}" needs a summary`, 'invalid-data');
  return Object.freeze({ ...def });
}
