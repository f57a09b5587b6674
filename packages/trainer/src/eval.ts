import {
  createExperiment,
  Tokens,
  type AnyPluginDefinition,
  type PackageSource,
  type ServiceEntry,
  type PolicyGenerator,
  type ResolvedRecipe,
  type Sample,
  type Tokenizer,
  type Trajectory,
} from '@tirl/core';
import { Policy, type CausalLM } from '@tirl/policy';
import { mean, scoreTrajectories } from './loop/rewards';
import { rolloutStack } from './loop/rollout-stack';
import { parseTrainerSettings } from './settings';

export interface EvalOptions {
  recipe: ResolvedRecipe;
  /** The model to evaluate; give this or `policy`. */
  model?: CausalLM;
  tokenizer: Tokenizer;
  /** Generator to roll out instead of `model` (e.g. a scripted teacher recording demonstrations). */
  policy?: PolicyGenerator;
  dataset: readonly Sample[];
  /** Reward metric that counts as accuracy (score ≥ 0.5 = correct); default: the recipe's first reward. */
  accuracyReward?: string;
  /** Sampling temperature for evaluation (default: the recipe's). */
  temperature?: number;
  plugins?: readonly AnyPluginDefinition[];
  /** Where plugin packages are found; default: the installed packages with a `tirl` manifest. */
  packages?: PackageSource;
  /** Package services by name (`defineService`), registered after the evaluator's own. */
  serviceOverrides?: readonly ServiceEntry[];
  seed?: number;
}

export interface EvalResult {
  metrics: Record<string, number>;
  trajectories: Trajectory[];
}

/**
 * Rolls out each held-out sample once with the recipe's rollout stack and scores it with its rewards.
 * Reports accuracy, tool calls per answer, invalid tool calls, and faithful tool use where tools record
 * evidence (`evidence.covered` or `evidence.iou` on tool calls).
 */
export async function evaluate(o: EvalOptions): Promise<EvalResult> {
  const settings = parseTrainerSettings(o.recipe.settings);
  const exp = createExperiment(o.recipe, { plugins: o.plugins, packages: o.packages, services: [[Tokens.tokenizer, o.tokenizer]], serviceOverrides: o.serviceOverrides, seed: o.seed });
  try {
    if (!o.policy && !o.model) throw new Error('evaluate: give a model (or a policy generator) to roll out');
    const policy = o.policy ?? new Policy(o.model!, o.tokenizer);
    const out = await exp.get('rollout').rollout({
      samples: o.dataset.map((sample) => ({ sample, rollouts: 1 })),
      policy,
      ...rolloutStack(exp),
      decode: { ...settings.decode, temperature: o.temperature ?? settings.decode.temperature },
      limits: settings.limits,
      rng: exp.rng.fork('eval'),
      step: 0,
    });
    const trajectories = out.trees.flatMap((t) => t.trajectories);
    const rewards = exp.plugins.filter((p) => p.kind === 'reward');
    const scored = await scoreTrajectories(rewards, {
      trajectories,
      samples: new Map(o.dataset.map((s) => [s.id, s])),
      step: 0,
    });
    const roots = trajectories.filter((t) => t.parentId === undefined);
    const key = o.accuracyReward ?? (rewards[0] ? `reward/${rewards[0].definition.name}` : undefined);
    const correct = roots.map((t) => (key ? (t.rewardComponents?.[key] ?? 0) >= 0.5 : false));
    const calls = trajectories.flatMap((t) => t.toolCalls);
    const evidence = calls.filter((c) => c.evidence && ('covered' in c.evidence || 'iou' in c.evidence));
    const metrics: Record<string, number> = {
      ...scored.metrics,
      'eval/accuracy': mean(correct.map(Number)),
      'eval/tool_calls_per_answer': roots.length ? calls.length / roots.length : 0,
      'eval/invalid_tool_calls_per_answer': roots.length ? calls.filter((c) => !c.ok).length / roots.length : 0,
      'eval/answers': roots.length,
    };
    if (evidence.length) {
      metrics['eval/faithful_tool_use'] = mean(evidence.map((c) => Number((c.evidence!.covered ?? c.evidence!.iou ?? 0) >= 0.5)));
    }
    return { metrics, trajectories };
  } finally {
    await exp.dispose();
  }
}
