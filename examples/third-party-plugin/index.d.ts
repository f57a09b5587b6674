import type { Logger, PluginDefinition, ServiceDefinition } from '@tirl/core';

export declare const brevity: PluginDefinition<'reward'>;
export declare const plugins: [typeof brevity];
export declare const fileLogger: ServiceDefinition<Logger>;
export declare const services: [typeof fileLogger];
