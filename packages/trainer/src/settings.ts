import { closestMatch, formatIssues, TirlError } from '@tirl/core';
import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * Run settings of a recipe (`settings` in the resolved recipe), validated once before any work.
 * Defaults follow verl/TRL GRPO defaults scaled down for small models.
 */
export const trainerSettingsSchema = z
  .object({
    seed: z.number().int().nonnegative().default(0),
    /** Optimizer steps (each step = one batch of prompts rolled out, scored and trained on). */
    steps: positiveInt.default(10),
    /** Prompts per step. */
    promptsPerStep: positiveInt.default(4),
    /** Rollouts per prompt (the GRPO group size). */
    groupSize: positiveInt.default(4),
    /** Passes over each batch (PPO epochs). */
    ppoEpochs: positiveInt.default(1),
    /** Mini-batches per epoch, cut by root trajectory; one optimizer update each. */
    miniBatches: positiveInt.default(1),
    /** Rows per forward/backward pass; gradients accumulate across micro-batches. */
    microBatchRows: positiveInt.default(16),
    /** Extra sampling rounds a filter may ask for (DAPO dynamic sampling). */
    maxFilterRetries: z.number().int().nonnegative().default(2),
    optimizer: z
      .object({
        lr: z.number().positive().default(1e-4),
        betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
        eps: z.number().positive().default(1e-8),
        weightDecay: z.number().min(0).default(0.0),
        warmupSteps: z.number().int().nonnegative().default(0),
        schedule: z.enum(['constant', 'linear', 'cosine']).default('constant'),
        /** Final learning rate as a fraction of `lr` for linear and cosine schedules. */
        minLrRatio: z.number().min(0).max(1).default(0),
      })
      .strict()
      .default({ lr: 1e-4, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: 0, schedule: 'constant', minLrRatio: 0 }),
    /** Global gradient-norm clip; 0 disables. */
    maxGradNorm: z.number().min(0).default(1.0),
    /** Stop after this many updates in a row with non-finite loss or gradients. */
    maxNonFiniteUpdates: positiveInt.default(3),
    decode: z
      .object({
        maxNewTokens: positiveInt.default(64),
        temperature: z.number().positive().default(1),
        topP: z.number().gt(0).max(1).default(1),
        topK: z.number().int().nonnegative().default(0),
      })
      .strict()
      .default({ maxNewTokens: 64, temperature: 1, topP: 1, topK: 0 }),
    limits: z
      .object({
        maxTurns: positiveInt.default(4),
        maxTotalTokens: positiveInt.default(512),
        maxToolCalls: z.number().int().nonnegative().default(8),
        toolTimeoutMs: positiveInt.default(10000),
        concurrency: positiveInt.default(8),
        toolBudgets: z.record(z.string(), z.number().int().nonnegative()).optional(),
        /** Image tokens tool observations may add to one trajectory (vision-language models; prompt images not counted); unset: no cap. */
        maxImageTokens: positiveInt.optional(),
      })
      .strict()
      .default({ maxTurns: 4, maxTotalTokens: 512, maxToolCalls: 8, toolTimeoutMs: 10000, concurrency: 8 }),
    /** Value model learning rate and loss weight, used when an advantage requires values (GAE). */
    value: z
      .object({ lr: z.number().positive().default(1e-4), clip: z.number().min(0).default(0.2) })
      .strict()
      .default({ lr: 1e-4, clip: 0.2 }),
    /**
     * Rollouts on other processes or machines (a rollout queue; see docs/scale-out.md). `maxStaleness` η
     * (AReaL, arXiv 2505.24298 §5.1): step k trains on trajectories of policy versions ≥ k − η while the
     * next η steps' rollouts run; 0 is the synchronous algorithm. `groupsPerJob`: groups per rollout job
     * (`null`: a round is one job; a queue defaults to 1 so groups spread over workers).
     */
    scaleOut: z
      .object({
        maxStaleness: z.number().int().nonnegative().default(0),
        groupsPerJob: positiveInt.nullable().default(null),
      })
      .strict()
      .default({ maxStaleness: 0, groupsPerJob: null }),
    /**
     * Swarm SAPO (arXiv 2509.08721): `external` (J) rollout groups shared by other nodes join each step's
     * `promptsPerStep` (I) local groups, re-scored with this run's rewards; needs a swarm (`--swarm`).
     */
    swarm: z.object({ external: z.number().int().nonnegative().default(0) }).strict().default({ external: 0 }),
    /**
     * The old policy's log-probs in the ratio: `rollout`, recorded while sampling; `recompute`, the model's
     * own just before the update (ratio 1 in the first pass, as one iteration on fresh rollouts gives). Rollouts
     * that carry none (shared by other nodes) need `recompute`.
     */
    oldLogProbs: z.enum(['rollout', 'recompute']).default('rollout'),
    /**
     * The trajectory log `tirl view` reads (`RUN_DIR/trajectories.jsonl`, docs/trajectory-log.md): the first
     * `groupsPerStep` rollout trees of each step (0 turns it off), each trajectory cut to `maxTokens` tokens
     * and each tool observation to `maxObservationChars` characters, so a line stays bounded.
     */
    trajectoryLog: z
      .object({
        groupsPerStep: z.number().int().nonnegative().default(2),
        maxTokens: positiveInt.default(2048),
        maxObservationChars: positiveInt.default(2000),
      })
      .strict()
      .default({ groupsPerStep: 2, maxTokens: 2048, maxObservationChars: 2000 }),
    checkpoint: z
      .object({ every: z.number().int().nonnegative().default(0), keep: positiveInt.default(2) })
      .strict()
      .default({ every: 0, keep: 2 }),
  })
  .strict();

export type TrainerSettings = z.output<typeof trainerSettingsSchema>;

/**
 * Validates a run's settings before any work. Every key must be known: a misspelt one (`groupsize`) fails,
 * naming the key and the nearest valid one, instead of being ignored.
 */
export function parseTrainerSettings(settings: unknown): TrainerSettings {
  const parsed = trainerSettingsSchema.safeParse(settings ?? {});
  if (parsed.success) return parsed.data;
  const unknown = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => unknownSetting(issue.path.map(String), key)) : [],
  );
  const other = parsed.error.issues.filter((issue) => issue.code !== 'unrecognized_keys');
  const parts = [...unknown, ...(other.length ? [formatIssues(other)] : [])];
  throw new TirlError(`Invalid recipe settings: ${parts.join('; ')}`, 'invalid-options');
}

function unknownSetting(path: string[], key: string): string {
  const known = keysAt(trainerSettingsSchema, path);
  const guess = closestMatch(key, known) ?? known.find((k) => k.toLowerCase() === key.toLowerCase());
  const full = [...path, key].join('.');
  const prefix = path.length ? `${path.join('.')}.` : '';
  return (
    `unknown setting "${full}"` +
    (guess ? `. Did you mean "${prefix}${guess}"?` : '') +
    ` Settings${path.length ? ` under ${path.join('.')}` : ''}: ${known.join(', ')}`
  );
}

/** The keys of the object schema at `path` (through defaults and optionals). */
function keysAt(schema: z.ZodType, path: readonly string[]): string[] {
  let node: unknown = schema;
  for (const key of ['', ...path]) {
    while (node && typeof (node as { unwrap?: unknown }).unwrap === 'function' && !(node as { shape?: unknown }).shape) {
      node = (node as { unwrap: () => unknown }).unwrap();
    }
    if (key === '') continue;
    node = (node as { shape?: Record<string, unknown> }).shape?.[key];
  }
  while (node && typeof (node as { unwrap?: unknown }).unwrap === 'function' && !(node as { shape?: unknown }).shape) {
    node = (node as { unwrap: () => unknown }).unwrap();
  }
  return Object.keys((node as { shape?: Record<string, unknown> })?.shape ?? {});
}
