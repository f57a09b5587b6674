import { createExperiment, Tokens, type ResolvedRecipe, type Sample, type Tokenizer, type Trajectory } from '@tirl/core';
import { Policy, type CausalLM } from '@tirl/policy';
import { parseTrainerSettings, scoreTrajectories } from '@tirl/trainer';

export interface EvalInput {
  recipe: ResolvedRecipe;
  model: CausalLM;
  tokenizer: Tokenizer;
  dataset: readonly Sample[];
  seed: number;
}

/** One rollout per sample with the recipe's rollout stack, scored by its rewards (`rewardComponents` set). */
export async function rolloutAndScore(o: EvalInput): Promise<Trajectory[]> {
  const settings = parseTrainerSettings(o.recipe.settings);
  const exp = createExperiment(o.recipe, { services: [[Tokens.tokenizer, o.tokenizer]], seed: o.seed });
  try {
    const out = await exp.get('rollout').rollout({
      samples: o.dataset.map((sample) => ({ sample, rollouts: 1 })),
      policy: new Policy(o.model, o.tokenizer),
      tools: exp.getAll('tool'),
      toolFormat: exp.get('toolFormat'),
      decode: settings.decode,
      limits: settings.limits,
      rng: exp.rng.fork('eval'),
      step: 0,
    });
    const trajectories = out.trees.flatMap((t) => t.trajectories);
    const rewards = exp.plugins.filter((p) => p.kind === 'reward');
    await scoreTrajectories(rewards, { trajectories, samples: new Map(o.dataset.map((s) => [s.id, s])), step: 0 });
    return trajectories;
  } finally {
    await exp.dispose();
  }
}
