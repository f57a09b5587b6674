import type { Experiment, RolloutInput } from '@tirl/core';

/** The experiment's plugins that every rollout request carries: tools, their format, memory and router. */
export function rolloutStack(exp: Experiment): Pick<RolloutInput, 'tools' | 'toolFormat' | 'memory' | 'router'> {
  return {
    tools: exp.getAll('tool'),
    toolFormat: exp.get('toolFormat'),
    memory: exp.maybe('memory'),
    router: exp.maybe('router'),
  };
}
