import type { Method } from '@tirl/core';
import { a2fmApo } from './recipes/a2fm-apo';
import { acecodeMethod } from './recipes/acecode';
import { adacot } from './recipes/adacot';
import { divideThenAggregate } from './recipes/divide-then-aggregate';
import { metatool } from './recipes/metatool';
import { cgpo } from './recipes/cgpo';
import { latm } from './recipes/latm';
import { mpo } from './recipes/mpo';
import { tapir } from './recipes/tapir';
import { themis } from './recipes/themis';
import { toolllm } from './recipes/toolllm';
import { trimpi } from './recipes/trimpi';
import { exemplarSelection } from './recipes/exemplar-selection';
import { demoRetrievalMethod } from './recipes/demo-retrieval';

export { a2fmApo } from './recipes/a2fm-apo';
export { acecodeMethod } from './recipes/acecode';
export { adacot } from './recipes/adacot';
export { divideThenAggregate } from './recipes/divide-then-aggregate';
export { agenticTasks, parallelToolsQaTask } from './agentic-tasks';
export { metatool } from './recipes/metatool';
export { cgpo } from './recipes/cgpo';
export { latm } from './recipes/latm';
export { mpo } from './recipes/mpo';
export { tapir } from './recipes/tapir';
export { themis } from './recipes/themis';
export { toolllm } from './recipes/toolllm';
export { trimpi } from './recipes/trimpi';
export { exemplarSelection } from './recipes/exemplar-selection';
export { demoRetrievalMethod } from './recipes/demo-retrieval';

/**
 * Agentic seed-paper methods defined as methods only (no paper run of their own yet): train them with a task,
 * e.g. `tirl train --method metatool --task search-qa --scale laptop`.
 */
export const agenticMethods: readonly Method[] = [metatool, adacot, tapir, divideThenAggregate, acecodeMethod, trimpi, themis, mpo, cgpo, latm, toolllm, exemplarSelection, demoRetrievalMethod, a2fmApo];
