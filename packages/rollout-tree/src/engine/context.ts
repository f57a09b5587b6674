import type { ChatMessage, FinishReason, PolicySession, RolloutInput, Sample, Tokenizer, Tool } from '@tirl/core';
import type { Agent, PathNode } from './agent';
import type { GenerateBatcher } from './batcher';
import type { EngineOptions } from './options';
import type { Semaphore } from './semaphore';

/** Counters of one engine, reported as `rollout/*` metrics. */
export interface EngineStats {
  turns: number;
  toolCalls: number;
  toolErrors: number;
  spawned: number;
  folds: number;
}

/** Everything needed to start an agent in a new row. */
export interface AgentSpec {
  sample: Sample;
  id: string;
  groupId: string;
  rootId: string;
  parentId?: string;
  spawnTurn?: number;
  role: string;
  messages: readonly ChatMessage[];
  tools: Map<string, Tool>;
  depth: number;
  maxTurns: number;
  finalPrompt?: string;
  alwaysFinal?: boolean;
  summaryReserve?: number;
  failedPrompt?: string;
  path: PathNode[];
}

/**
 * What the engine's parts (generation, tool calls, sub-agents, memory) share: the rollout's input and
 * options, the policy session, the counters, the live rows, and the engine's own loop for sub-agents.
 */
export interface EngineContext {
  readonly input: RolloutInput;
  readonly opts: EngineOptions;
  readonly needEntropy: boolean;
  readonly session: PolicySession;
  readonly batcher: GenerateBatcher;
  readonly slots: Semaphore;
  readonly toolPool: ReadonlyMap<string, Tool>;
  readonly stopStrings: string[];
  readonly stopTokenIds: number[];
  readonly tokenizer: Tokenizer;
  readonly stats: EngineStats;
  /** Agents whose rows are held; finishing or discarding an agent frees its row. */
  readonly live: Set<Agent>;
  /** Runs agents turn by turn until all have finished (used for sub-agents). */
  runToEnd(agents: readonly Agent[]): Promise<void>;
}

/** Ends an agent with `reason` and frees its row (no-op when it has finished). */
export function finishAgent(ctx: EngineContext, a: Agent, reason: FinishReason): void {
  if (a.done) return;
  a.done = true;
  a.finishReason = reason;
  if (ctx.live.delete(a)) ctx.session.release(a.row);
}
