import type { FinishReason, Sample, Segment, Tool, ToolCallRecord, Trajectory } from '@tirl/core';
import type { ToolBudget } from './budget';

/** A point in a rollout where branches may start; becomes a `TreeNode` when two kept leaves pass through it. */
export interface PathNode {
  id: string;
  parentId?: string;
  /** Row length (tokens) at this point. */
  tokenOffset: number;
  turn: number;
  reason: string;
  /** Number of context folds the row had gone through at this point. */
  folds: number;
}

/** One live rollout: a session row plus the trajectory being recorded. */
export interface Agent {
  id: string;
  sampleId: string;
  groupId: string;
  rootId: string;
  parentId?: string;
  spawnTurn?: number;
  role: string;
  depth: number;
  sample: Sample;
  row: number;
  segments: Segment[];
  toolCalls: ToolCallRecord[];
  tools: Map<string, Tool>;
  budget: ToolBudget;
  /** Generation turns taken. */
  turn: number;
  maxTurns: number;
  finalPrompt?: string;
  /** Run the `finalPrompt` turn also after a normal finish (answer or end of sequence). */
  alwaysFinal?: boolean;
  /** Tokens held back for the `finalPrompt` turn while it is pending. */
  summaryReserve?: number;
  /** Final prompt after a cut (turns or a limit). */
  failedPrompt?: string;
  /** The final (summary) turn ran. */
  summarised?: boolean;
  /** The policy wrote the memory plugin's `foldTag`: fold before the next turn. */
  foldRequested?: boolean;
  /** Side and fold generations drawn so far (names their random streams). */
  sideDraws?: number;
  /** Tokens after the prompt (policy, tool and injected), across folds. */
  responseTokens: number;
  done: boolean;
  finishReason?: FinishReason;
  answer?: string;
  /** Normalised entropy of the first tokens of the first and of the latest turn (ARPO). */
  firstEntropy?: number;
  lastEntropy?: number;
  /** Tool results appended by the latest turn. */
  lastTurnCalls: number;
  path: PathNode[];
  /** Sub-rollout trajectories spawned by this rollout, one list per spawn, in spawn order. */
  spawned: Trajectory[][];
  /** Trajectory pieces closed by context folds (they train as rows of their own). */
  pieces: Trajectory[];
  folds: number;
  /** Action tokens of the current row (tool calls, the fold tag), `[start, end)` over the row; `meta.actionSpans`. */
  actionSpans: [number, number][];
}

/** The trajectory record of an agent (segments and records are copied, not shared). */
export function toTrajectory(a: Agent): Trajectory {
  const t: Trajectory = {
    id: a.id,
    sampleId: a.sampleId,
    groupId: a.groupId,
    rootId: a.rootId,
    role: a.role,
    segments: a.segments.map((s) => ({ ...s })),
    toolCalls: a.toolCalls.map((c) => ({ ...c })),
    meta: { turns: a.turn, toolCallsUsed: a.budget.callsUsed, depth: a.depth, folds: a.folds },
  };
  if (a.parentId !== undefined) t.parentId = a.parentId;
  if (a.spawnTurn !== undefined) t.spawnTurn = a.spawnTurn;
  if (a.finishReason) t.finishReason = a.finishReason;
  if (a.answer !== undefined) t.meta!.answer = a.answer;
  if (a.actionSpans.length) t.meta!.actionSpans = a.actionSpans.map(([s, e]) => [s, e]);
  return t;
}

/** A stream name unique to this agent and draw (side and fold generations of one agent, in call order). */
export function drawName(a: Agent, what: string): string {
  a.sideDraws = (a.sideDraws ?? 0) + 1;
  return `${a.id}#${what}${a.sideDraws}`;
}
