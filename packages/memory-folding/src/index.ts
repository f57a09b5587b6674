import type { AnyPluginDefinition } from '@tirl/core';
import { deepAgentMemory } from './memory/deepagent';
import { failMemory } from './memory/fail';
import { slidingWindowMemory } from './memory/sliding-window';
import { summarizeMemory } from './memory/summarize';
import { batsVerifier } from './memory/bats-verifier';

export { failMemory } from './memory/fail';
export { slidingWindowMemory } from './memory/sliding-window';
export { summarizeMemory, DEFAULT_SUMMARY_INSTRUCTION } from './memory/summarize';
export { deepAgentMemory, MEMORY_PROMPTS, memoryJson } from './memory/deepagent';
export { batsVerdict, batsVerifier, budgetLeft, lastBlock, parseVerification, type ConstraintStatus, type Verdict } from './memory/bats-verifier';
export { carriedTail, historySegments, injected, promptSegments, tokenCount } from './context';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [failMemory, slidingWindowMemory, summarizeMemory, deepAgentMemory, batsVerifier];
