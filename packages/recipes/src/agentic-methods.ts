import type { Method } from '@tirl/core';
import { acecodeMethod } from './recipes/acecode';
import { adacot } from './recipes/adacot';
import { divideThenAggregate } from './recipes/divide-then-aggregate';
import { metatool } from './recipes/metatool';
import { tapir } from './recipes/tapir';

export { acecodeMethod } from './recipes/acecode';
export { adacot } from './recipes/adacot';
export { divideThenAggregate } from './recipes/divide-then-aggregate';
export { agenticTasks, parallelToolsQaTask } from './agentic-tasks';
export { metatool } from './recipes/metatool';
export { tapir } from './recipes/tapir';

/**
 * Agentic seed-paper methods defined as methods only (no paper run of their own yet): train them with a task,
 * e.g. `tirl train --method metatool --task search-qa --scale laptop`.
 */
export const agenticMethods: readonly Method[] = [metatool, adacot, tapir, divideThenAggregate, acecodeMethod];
