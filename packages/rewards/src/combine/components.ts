import { parseOptions, TirlError, type PluginContext, type RewardFunction } from '@tirl/core';
import { z } from 'zod';
import { componentRewards } from '../catalog';
import type { NamedReward } from '@tirl/core';

/** One component of a combinator: a reward id of this package, its options, its name and weight. */
export const componentSchema = z
  .object({
    id: z.string().regex(/^reward\/[a-z0-9-]+$/, 'must be a reward id like "reward/exact-match"'),
    /** Metric name (`reward/<name>`); defaults to the plugin name. */
    name: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/).optional(),
    weight: z.number().default(1),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type ComponentSpec = z.output<typeof componentSchema>;

/** Creates the component rewards a combinator names, each with its own validated options and rng stream. */
export function createComponents(specs: readonly ComponentSpec[], ctx: PluginContext): NamedReward[] {
  return specs.map((spec) => {
    const def = componentRewards.find((d) => d.id === spec.id);
    if (!def) {
      throw new TirlError(
        `${ctx.id}: unknown component "${spec.id}". Known: ${componentRewards.map((d) => d.id).join(', ')}. ` +
          'Rewards from other packages: list them in the recipe and let the trainer combine them with combineRewards().',
        'unknown-plugin',
      );
    }
    const options = parseOptions(def.id, def.options, spec.options);
    const reward = def.create(options, { ...ctx, id: def.id, rng: ctx.rng.fork(spec.name ?? def.name) }) as RewardFunction;
    return { name: spec.name ?? def.name, reward, weight: spec.weight };
  });
}

/** Component names must be distinct (they become metric keys). */
export function distinctNames(components: readonly ComponentSpec[]): boolean {
  const names = components.map((c) => c.name ?? c.id.slice('reward/'.length));
  return new Set(names).size === names.length;
}
