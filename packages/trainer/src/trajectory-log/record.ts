import type { RolloutTree, Segment, Tokenizer, Trajectory } from '@tirl/core';
import {
  TRAJECTORY_LOG_FORMAT,
  TRAJECTORY_LOG_VERSION,
  type LoggedSegment,
  type LoggedToolCall,
  type LoggedTrajectory,
  type SegmentKind,
  type StepTrajectories,
} from './format';

/** Per-token values of one trained batch row, indexed by position in the row (`[T]`). */
export interface RowTokenStats {
  lossMask: ArrayLike<number>;
  advantage: ArrayLike<number>;
  ratio: ArrayLike<number>;
}

export interface TrajectoryLogLimits {
  /** Trees (groups) logged per step. */
  groupsPerStep: number;
  /** Tokens kept per trajectory (the prompt included); later segments are left out and counted. */
  maxTokens: number;
  /** Characters kept of each tool observation and argument text. */
  maxObservationChars: number;
}

/** The trees a step logs: the first `groupsPerStep`, in rollout order. */
export function treesToLog(trees: readonly RolloutTree[], limits: TrajectoryLogLimits): RolloutTree[] {
  return trees.slice(0, limits.groupsPerStep);
}

/**
 * One line of the trajectory log. `stats` holds the per-token values of the trajectories that were
 * trained this step, by trajectory id; the others are logged without them (`trained: false`).
 */
export function stepRecord(
  step: number,
  trees: readonly RolloutTree[],
  treesInStep: number,
  stats: ReadonlyMap<string, RowTokenStats>,
  tokenizer: Pick<Tokenizer, 'decode'>,
  limits: TrajectoryLogLimits,
): StepTrajectories {
  return {
    format: TRAJECTORY_LOG_FORMAT,
    version: TRAJECTORY_LOG_VERSION,
    step,
    treesInStep,
    trees: trees.map((tree) => ({
      id: tree.id,
      sampleId: tree.sampleId,
      nodes: tree.nodes.map((n) => ({ id: n.id, ...(n.parentId !== undefined ? { parentId: n.parentId } : {}), tokenOffset: n.tokenOffset, turn: n.turn, ...(n.reason ? { reason: n.reason } : {}) })),
      trajectories: tree.trajectories.map((t) => loggedTrajectory(t, stats.get(t.id), tokenizer, limits)),
    })),
  };
}

function loggedTrajectory(t: Trajectory, stats: RowTokenStats | undefined, tokenizer: Pick<Tokenizer, 'decode'>, limits: TrajectoryLogLimits): LoggedTrajectory {
  const segments: LoggedSegment[] = [];
  let offset = 0;
  let dropped = 0;
  for (const seg of t.segments) {
    const room = Math.max(0, limits.maxTokens - offset);
    const n = Math.min(room, seg.tokenIds.length);
    dropped += seg.tokenIds.length - n;
    if (n > 0) segments.push(loggedSegment(seg, kindOf(seg, t), n, offset, stats, tokenizer));
    offset += seg.tokenIds.length;
  }
  const promptTokens = t.segments.filter((s) => s.source === 'prompt').reduce((a, s) => a + s.tokenIds.length, 0);
  return {
    id: t.id,
    sampleId: t.sampleId,
    groupId: t.groupId,
    rootId: t.rootId,
    ...(t.parentId !== undefined ? { parentId: t.parentId, spawnTurn: t.spawnTurn } : {}),
    role: t.role,
    ...(t.reward !== undefined ? { reward: round(t.reward) } : {}),
    rewardComponents: Object.fromEntries(Object.entries(t.rewardComponents ?? {}).map(([k, v]) => [k, round(v)])),
    rewardFailures: { ...(t.rewardFailures ?? {}) },
    ...(t.finishReason ? { finishReason: t.finishReason } : {}),
    ...(t.treePath ? { treePath: [...t.treePath] } : {}),
    ...(t.sharedPrefixLength ? { sharedPrefixLength: t.sharedPrefixLength } : {}),
    trained: stats !== undefined,
    length: offset - promptTokens,
    droppedTokens: dropped,
    segments,
    toolCalls: t.toolCalls.map((c): LoggedToolCall => ({
      turn: c.turn,
      name: c.name,
      args: typeof c.args === 'string' ? cut(c.args, limits.maxObservationChars) : c.args,
      ok: c.ok,
      ...(c.error ? { error: c.error } : {}),
      observation: cut(c.observation, limits.maxObservationChars),
      ...(c.latencyMs !== undefined ? { latencyMs: c.latencyMs } : {}),
      ...(c.childId ? { childId: c.childId } : {}),
    })),
  };
}

function loggedSegment(seg: Segment, kind: SegmentKind, n: number, offset: number, stats: RowTokenStats | undefined, tokenizer: Pick<Tokenizer, 'decode'>): LoggedSegment {
  const ids = seg.tokenIds.slice(0, n);
  const out: LoggedSegment = {
    kind,
    source: seg.source,
    role: seg.role,
    ...(seg.turn !== undefined ? { turn: seg.turn } : {}),
    text: n === seg.tokenIds.length && seg.text !== undefined ? seg.text : tokenizer.decode(ids),
    ids,
    tokens: tokenTexts(ids, tokenizer),
  };
  if (stats) out.lossMask = ids.map((_, i) => stats.lossMask[offset + i]);
  if (seg.source === 'policy') {
    if (seg.logProbs) out.logProb = seg.logProbs.slice(0, n).map(round);
    if (stats) {
      out.advantage = ids.map((_, i) => round(stats.advantage[offset + i]));
      out.ratio = ids.map((_, i) => round(stats.ratio[offset + i]));
    }
  }
  return out;
}

/**
 * Each token decoded alone, for display. A character split over several tokens (a multi-byte UTF-8
 * character of a byte-level tokenizer) decodes whole on its first token and as '' on the others.
 */
function tokenTexts(ids: readonly number[], tokenizer: Pick<Tokenizer, 'decode'>): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const alone = tokenizer.decode([ids[i]]);
    let j = i;
    let text = alone;
    while (text.includes('\uFFFD') && j < Math.min(ids.length - 1, i + 3)) text = tokenizer.decode(ids.slice(i, ++j + 1));
    if (text.includes('\uFFFD')) {
      out.push(alone);
      continue;
    }
    out.push(text);
    for (let k = i + 1; k <= j; k++) out.push('');
    i = j;
  }
  return out;
}

/** The segment's kind in the conversation (see `SegmentKind`). */
export function kindOf(seg: Segment, t: Trajectory): SegmentKind {
  const callsThisTurn = seg.turn === undefined ? [] : t.toolCalls.filter((c) => c.turn === seg.turn);
  switch (seg.source) {
    case 'prompt':
      return 'prompt';
    case 'policy':
      return callsThisTurn.length ? 'tool_call' : 'policy';
    case 'tool':
      return callsThisTurn.length && callsThisTurn.every((c) => c.childId) ? 'sub_agent' : 'observation';
    default:
      return 'fold';
  }
}

/** Four significant digits keep the log small and are more than a chart or a colour can show. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
