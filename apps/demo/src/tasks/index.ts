import { searchTask } from './search';
import type { DemoTask } from './types';

export type { DemoTask } from './types';

/** Tasks `--task` accepts. */
export const TASKS = ['search'] as const;

export function makeTask(name: string, seed: number, entities: number, heldOut: number): DemoTask {
  if (name === 'search') return searchTask({ seed, entities, heldOut });
  throw new Error(`demo: unknown task "${name}"; available tasks: ${TASKS.join(', ')} (arithmetic and matpo are not implemented yet)`);
}
