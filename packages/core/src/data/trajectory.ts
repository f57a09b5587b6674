/** Where the tokens of a segment came from. Only `policy` tokens are trained. */
export type SegmentSource = 'prompt' | 'policy' | 'tool' | 'injected';

/**
 * A run of tokens from one source. Token-in, token-out: `tokenIds` are the ids that were sampled or
 * tokenised once; nothing downstream re-tokenises `text`.
 */
export interface Segment {
  source: SegmentSource;
  /** Agent role that produced or received the tokens: `planner`, `worker`, `agent`, ... */
  role: string;
  tokenIds: number[];
  /** Behaviour log-prob of each token; required for `policy` segments, absent otherwise. */
  logProbs?: number[];
  /** Entropy of the sampling distribution at each token (policy segments, when recorded). */
  entropies?: number[];
  /** Decoded text, for display and rewards only. */
  text?: string;
  /** Turn index within the trajectory (0-based). */
  turn?: number;
}

/** One tool call made during a rollout, with what the model saw back. */
export interface ToolCallRecord {
  turn: number;
  name: string;
  args: unknown;
  ok: boolean;
  /** Error kind when `ok` is false: parse, unknown-tool, schema, timeout, crash, budget. */
  error?: string;
  observation: string;
  latencyMs?: number;
  /** Cost of the call in the units a budget or cost-aware reward reads. */
  cost?: number;
  /** Evidence measurements a tool attaches (e.g. IoU with a ground-truth box) for faithful-use rewards. */
  evidence?: Record<string, number>;
  /** Id of a child trajectory spawned by this call (sub-agent), if any. */
  childId?: string;
}

export type FinishReason = 'stop' | 'length' | 'max_turns' | 'max_tokens' | 'max_tool_calls' | 'context' | 'error';

/**
 * One rollout of one agent. Sub-agent rollouts link to the root through `parentId` / `rootId` and
 * record the parent turn that spawned them.
 */
export interface Trajectory {
  id: string;
  /** The dataset sample this rollout answers. */
  sampleId: string;
  /** Trajectories compared with each other by group-relative advantages. */
  groupId: string;
  /** The root (top-level) trajectory of a multi-agent rollout; equals `id` for a root. */
  rootId: string;
  parentId?: string;
  spawnTurn?: number;
  role: string;
  segments: Segment[];
  toolCalls: ToolCallRecord[];
  /** Scalar reward after all reward functions and shapers. */
  reward?: number;
  /** Each reward component, under its metric key. */
  rewardComponents?: Record<string, number>;
  /** Reward functions that failed on this trajectory, with the error. */
  rewardFailures?: Record<string, string>;
  finishReason?: FinishReason;
  /** Node ids from the tree root to this leaf, for tree-aware advantages. */
  treePath?: string[];
  /** Leading tokens identical to a trajectory earlier in the batch that owns (trains) them. */
  sharedPrefixLength?: number;
  meta?: Record<string, unknown>;
}

export function isRoot(t: Trajectory): boolean {
  return t.parentId === undefined;
}

/** All token ids of a trajectory, in order. */
export function trajectoryTokens(t: Trajectory): number[] {
  return t.segments.flatMap((s) => s.tokenIds);
}

/** Number of generated (policy) tokens. */
export function policyTokenCount(t: Trajectory): number {
  return t.segments.reduce((n, s) => n + (s.source === 'policy' ? s.tokenIds.length : 0), 0);
}

/** Decoded text of the policy segments (the model's own output). */
export function policyText(t: Trajectory): string {
  return t.segments
    .filter((s) => s.source === 'policy')
    .map((s) => s.text ?? '')
    .join('');
}

/** The whole decoded text after the prompt. */
export function completionText(t: Trajectory): string {
  return t.segments
    .filter((s) => s.source !== 'prompt')
    .map((s) => s.text ?? '')
    .join('');
}
