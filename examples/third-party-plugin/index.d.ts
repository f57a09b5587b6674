import type { PluginDefinition } from '@tirl/core';

export declare const brevity: PluginDefinition<'reward'>;
export declare const plugins: [typeof brevity];
