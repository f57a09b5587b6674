/**
 * The trajectory log (`RUN_DIR/trajectories.jsonl`): one JSON line per training step holding a bounded
 * sample of that step's rollout trees, with what the update did to every token. `tirl view` reads it.
 * The format is versioned; docs/trajectory-log.md describes every field.
 */
export const TRAJECTORY_LOG_FORMAT = 'tirl-trajectories';
export const TRAJECTORY_LOG_VERSION = 1;
export const TRAJECTORY_LOG_FILE = 'trajectories.jsonl';

/**
 * What a segment is in the conversation: `prompt` (system and user text), `policy` (generated text without
 * a tool call), `tool_call` (a generated turn that called tools), `observation` (tool results), `sub_agent`
 * (the answer a sub-agent returned, e.g. a MATPO worker's), `fold` (text the engine or a memory plugin
 * inserted: a folded-context summary, a final-turn instruction).
 */
export type SegmentKind = 'prompt' | 'policy' | 'tool_call' | 'observation' | 'sub_agent' | 'fold';

export interface LoggedSegment {
  kind: SegmentKind;
  /** The trajectory segment's source (`prompt`, `policy`, `tool`, `injected`). */
  source: string;
  role: string;
  turn?: number;
  text: string;
  /** Token ids, and each token decoded alone (for display). */
  ids: number[];
  tokens: string[];
  /** 1 where the token was trained (exactly the batch's loss mask); absent when the trajectory was not trained. */
  lossMask?: number[];
  /** Per-token advantage the objective used (policy segments of trained trajectories). */
  advantage?: number[];
  /** π_after / π_behaviour per token: the policy after this step's updates over the one that sampled it (0 off the loss mask). */
  ratio?: number[];
  /** Behaviour log-prob per token (policy segments). */
  logProb?: number[];
}

export interface LoggedToolCall {
  turn: number;
  name: string;
  args: unknown;
  ok: boolean;
  error?: string;
  observation: string;
  latencyMs?: number;
  /** The sub-agent trajectory this call spawned (MATPO worker, agent-as-tool). */
  childId?: string;
}

export interface LoggedTrajectory {
  id: string;
  sampleId: string;
  groupId: string;
  rootId: string;
  parentId?: string;
  spawnTurn?: number;
  role: string;
  reward?: number;
  rewardComponents: Record<string, number>;
  rewardFailures: Record<string, string>;
  finishReason?: string;
  treePath?: string[];
  sharedPrefixLength?: number;
  /** In the step's batch (its group passed the filters). */
  trained: boolean;
  /** Tokens after the prompt, and how many of them the log left out (`trajectoryLog.maxTokens`). */
  length: number;
  droppedTokens: number;
  segments: LoggedSegment[];
  toolCalls: LoggedToolCall[];
}

export interface LoggedTreeNode {
  id: string;
  parentId?: string;
  tokenOffset: number;
  turn: number;
  reason?: string;
}

export interface LoggedTree {
  id: string;
  sampleId: string;
  nodes: LoggedTreeNode[];
  trajectories: LoggedTrajectory[];
}

/** One line of the trajectory log. */
export interface StepTrajectories {
  format: typeof TRAJECTORY_LOG_FORMAT;
  version: typeof TRAJECTORY_LOG_VERSION;
  step: number;
  /** Trees in the step (all sampling rounds) and how many of them this line holds. */
  treesInStep: number;
  trees: LoggedTree[];
}
