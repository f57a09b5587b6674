import { z } from 'zod';

/** Bumped when a message's shape changes; a worker refuses jobs of another protocol (dead letter). */
export const PROTOCOL = 1;

const rngState = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]);
const sample = z.object({ id: z.string(), messages: z.array(z.object({ role: z.string(), content: z.string() }).loose()) }).loose();

/** A rollout job: groups of one sampling round, with the rng stream and decode settings that make it reproducible. */
export const jobMessageSchema = z
  .object({
    protocol: z.literal(PROTOCOL),
    runId: z.string(),
    jobId: z.string(),
    step: z.number().int().nonnegative(),
    round: z.number().int().nonnegative(),
    samples: z.array(z.object({ sample, rollouts: z.number().int().positive() }).strict()).min(1),
    decode: z.record(z.string(), z.unknown()),
    limits: z.record(z.string(), z.unknown()),
    rng: rngState,
    minVersion: z.number().int().nonnegative(),
  })
  .strict();

export type JobMessage = z.output<typeof jobMessageSchema>;

const trajectory = z.object({ id: z.string(), sampleId: z.string(), groupId: z.string(), rootId: z.string(), segments: z.array(z.unknown()) }).loose();

/** What a worker returns for a job (BullMQ stores it as the job's return value). */
export const resultMessageSchema = z
  .object({
    protocol: z.literal(PROTOCOL),
    runId: z.string(),
    jobId: z.string(),
    worker: z.string(),
    /** The policy version that generated every token of these trees (workers switch versions only between jobs). */
    policyVersion: z.number().int().nonnegative(),
    trees: z.array(z.object({ id: z.string(), sampleId: z.string(), nodes: z.array(z.unknown()), trajectories: z.array(trajectory) }).loose()),
    metrics: z.record(z.string(), z.number()),
    rolloutSeconds: z.number().nonnegative(),
    /** Time this worker spent loading weights before the job (0 when it already had them). */
    weightLoadSeconds: z.number().nonnegative(),
  })
  .strict();

export type ResultMessage = z.output<typeof resultMessageSchema>;

/** First issue of a failed parse, as one line: `field.path: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length ? issue.path.join('.') : '(message)'}: ${issue.message}`;
}
