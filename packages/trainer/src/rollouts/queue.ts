import { requireModule, TirlError, type ModuleLoader, type ResolvedRecipe, type Tokenizer } from '@tirl/core';
import type { CausalLM } from '@tirl/policy';
import type { RolloutSource } from './rollout-source';

/** Where rollout workers take jobs from (see docs/scale-out.md). */
export interface QueueOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** Namespaces the run's keys; workers pass the same `--run` (default `default`). */
  runId?: string;
  /** Publish weights to this directory (every machine mounts it) instead of Redis. */
  weightDir?: string;
  /** `full` (default) or `trainable` (only trainable weights after version 0, for adapters). */
  publish?: 'full' | 'trainable';
  /** Seconds between "still waiting for rollouts" lines (default 30). */
  waitReportSeconds?: number;
  /** Appends one JSON line per rollout job result trained (job id, step, worker, policy version). */
  journal?: string;
  /** Attempts per rollout job before the run fails; stalled jobs (a dead worker) are retried separately. */
  attempts?: number;
  log?: (line: string) => void;
}

interface ScaleOutModule {
  QueueLearner: { connect(o: object): Promise<RolloutSource> };
}

/** Loads `@tirl/scale-out` on demand (installed only where a queue is used) and connects the learner. */
export async function connectQueue(
  queue: QueueOptions,
  run: { recipe: ResolvedRecipe; model: CausalLM; tokenizer: Tokenizer; maxContext?: number; loadModule?: ModuleLoader },
): Promise<RolloutSource> {
  let mod: ScaleOutModule;
  try {
    mod = (run.loadModule ?? requireModule)('@tirl/scale-out') as ScaleOutModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND') {
      throw new TirlError('A rollout queue needs @tirl/scale-out, which is not installed. Run: npm install @tirl/scale-out', 'missing-package');
    }
    throw e;
  }
  return mod.QueueLearner.connect({ ...queue, recipe: run.recipe, model: run.model, tokenizer: run.tokenizer, maxContext: run.maxContext });
}
