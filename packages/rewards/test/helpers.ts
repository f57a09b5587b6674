import type { RewardFunction, RewardInput, Sample, Segment, SegmentSource, ToolCallRecord, Trajectory } from '@tirl/core';
import { parseOptions, type AnyPluginDefinition } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';

/** A compact trajectory for fixtures: policy text (or explicit segments), tool calls, links. */
export interface TrajSpec {
  id: string;
  sample?: string;
  group?: string;
  parent?: string;
  root?: string;
  role?: string;
  /** Prompt text (3 tokens). */
  prompt?: string;
  /** Policy text (`policyTokens` tokens, default 4). */
  text?: string;
  policyTokens?: number;
  /** Explicit segments `[source, text, tokens]`, instead of prompt + text. */
  segments?: [SegmentSource, string, number][];
  toolCalls?: Partial<ToolCallRecord>[];
  finish?: Trajectory['finishReason'];
  meta?: Record<string, unknown>;
}

export interface RewardCaseInput {
  options?: Record<string, unknown>;
  samples: (Omit<Sample, 'messages'> & { messages?: Sample['messages'] })[];
  trajectories: TrajSpec[];
  step?: number;
}

function segment(source: SegmentSource, text: string, n: number, role: string): Segment {
  const tokenIds = Array.from({ length: n }, (_, i) => i + 1);
  return { source, role, text, tokenIds, ...(source === 'policy' ? { logProbs: tokenIds.map(() => -1) } : {}) };
}

export function buildTrajectory(spec: TrajSpec): Trajectory {
  const role = spec.role ?? 'agent';
  const segments = spec.segments
    ? spec.segments.map(([s, text, n]) => segment(s, text, n, role))
    : [segment('prompt', spec.prompt ?? 'question', 3, role), segment('policy', spec.text ?? '', spec.policyTokens ?? 4, role)];
  const sample = spec.sample ?? 'q1';
  return {
    id: spec.id,
    sampleId: sample,
    groupId: spec.group ?? sample,
    rootId: spec.root ?? spec.parent ?? spec.id,
    parentId: spec.parent,
    role,
    segments,
    toolCalls: (spec.toolCalls ?? []).map((c, i) => ({ turn: i, name: 'tool', args: {}, ok: true, observation: '', ...c })),
    finishReason: spec.finish,
    meta: spec.meta,
  };
}

export function buildInput(input: RewardCaseInput): RewardInput {
  return {
    trajectories: input.trajectories.map(buildTrajectory),
    samples: new Map(input.samples.map((s) => [s.id, { ...s, messages: s.messages ?? [{ role: 'user', content: 'q' }] }])),
    step: input.step ?? 0,
  };
}

export function createReward(def: AnyPluginDefinition, options: Record<string, unknown> = {}): RewardFunction {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as RewardFunction;
}

/** Scores a fixture case: `{ scores, components }`. */
export async function scoreCase(def: AnyPluginDefinition, input: RewardCaseInput) {
  const reward = createReward(def, input.options);
  const out = await reward.score(buildInput(input));
  return { scores: out.scores, components: out.components ?? {} };
}
