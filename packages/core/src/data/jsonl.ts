import { z } from 'zod';
import { TirlError } from '../errors';
import { formatIssues } from '../plugin/options';
import { segmentImageProblem, type SegmentImage, type Trajectory } from './trajectory';

/**
 * Trajectory JSONL, schema `tirl.trajectory` version 1: one JSON object per line,
 * `{ "schema": "tirl.trajectory", "version": 1, "trajectory": { ...Trajectory } }`.
 * Replaying a run reads these lines instead of generating.
 */
export const TRAJECTORY_SCHEMA = 'tirl.trajectory';
export const TRAJECTORY_SCHEMA_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const imageSchema = z.unknown().superRefine((value, ctx) => {
  const problem = segmentImageProblem(value, 'image');
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}) as z.ZodType<SegmentImage>;

const segmentSchema = z
  .object({
    source: z.enum(['prompt', 'policy', 'tool', 'injected']),
    role: z.string(),
    tokenIds: z.array(z.number().int().nonnegative()),
    logProbs: z.array(finite).optional(),
    entropies: z.array(finite).optional(),
    text: z.string().optional(),
    turn: z.number().int().nonnegative().optional(),
    images: z.array(imageSchema).optional(),
  })
  .strict();

const toolCallSchema = z
  .object({
    turn: z.number().int().nonnegative(),
    name: z.string(),
    args: z.unknown(),
    ok: z.boolean(),
    error: z.string().optional(),
    observation: z.string(),
    latencyMs: z.number().optional(),
    cost: z.number().optional(),
    evidence: z.record(z.string(), z.number()).optional(),
    childId: z.string().optional(),
  })
  .strict();

export const trajectorySchema = z
  .object({
    id: z.string().min(1),
    sampleId: z.string(),
    groupId: z.string(),
    rootId: z.string(),
    parentId: z.string().optional(),
    spawnTurn: z.number().int().nonnegative().optional(),
    role: z.string(),
    segments: z.array(segmentSchema),
    toolCalls: z.array(toolCallSchema),
    reward: z.number().optional(),
    rewardComponents: z.record(z.string(), z.number()).optional(),
    rewardFailures: z.record(z.string(), z.string()).optional(),
    finishReason: z.enum(['stop', 'length', 'max_turns', 'max_tokens', 'max_tool_calls', 'context', 'error']).optional(),
    treePath: z.array(z.string()).optional(),
    sharedPrefixLength: z.number().int().nonnegative().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const lineSchema = z
  .object({
    schema: z.literal(TRAJECTORY_SCHEMA),
    version: z.literal(TRAJECTORY_SCHEMA_VERSION),
    trajectory: trajectorySchema,
  })
  .strict();

export function trajectoriesToJsonl(trajectories: readonly Trajectory[]): string {
  return trajectories
    .map((trajectory) => JSON.stringify({ schema: TRAJECTORY_SCHEMA, version: TRAJECTORY_SCHEMA_VERSION, trajectory }))
    .join('\n')
    .concat(trajectories.length ? '\n' : '');
}

/** Parses trajectory JSONL; a bad line fails with its line number and the field at fault. */
export function trajectoriesFromJsonl(text: string): Trajectory[] {
  const out: Trajectory[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new TirlError(`trajectory JSONL line ${i + 1}: not JSON (${(e as Error).message})`, 'invalid-data');
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      throw new TirlError(`trajectory JSONL line ${i + 1}: ${formatIssues(parsed.error.issues)}`, 'invalid-data');
    }
    out.push(parsed.data.trajectory as Trajectory);
  });
  return out;
}
