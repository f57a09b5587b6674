import type { RewardFunction, RewardInput } from '@tirl/core';
import { TirlError } from '@tirl/core';
import { COMPONENTS_ARE_REWARDS, scoreAll, type NamedReward, type RewardOutputWithFailures } from '@tirl/core';

export type CombineMode = 'weighted-sum' | 'product' | 'gate';

export interface CombineOptions {
  /** Score a failed component counts as (default 0). */
  failureScore?: number;
  /** `product`: factor in front of the product (OTC's α). Default 1. */
  scale?: number;
  /** `gate`: the first component passes when its score is ≥ this (default 1). */
  threshold?: number;
  /** `gate`: the score when the gate does not pass (default 0; TAPO uses −1). */
  otherwise?: number;
}

/**
 * One reward made of several: `weighted-sum` Σ wᵢ·sᵢ; `product` scale·Π sᵢ; `gate` the weighted sum of
 * the other components when the first scores ≥ threshold, else `otherwise`. Each component is logged
 * as `reward/<name>`; a component that fails on a trajectory is recorded there and counts as
 * `failureScore`. The trainer uses the same helper when a recipe lists several rewards.
 */
export function combineRewards(components: readonly NamedReward[], mode: CombineMode, options: CombineOptions = {}): RewardFunction {
  if (components.length === 0) throw new TirlError(`combineRewards(${mode}): needs at least one component`, 'invalid-data');
  if (mode === 'gate' && components.length < 2) {
    throw new TirlError('combineRewards(gate): needs the gate and at least one scored component', 'invalid-data');
  }
  const names = new Set<string>();
  for (const c of components) {
    if (names.has(c.name)) throw new TirlError(`combineRewards: two components are named "${c.name}"; give each a distinct name`, 'invalid-data');
    names.add(c.name);
  }
  const failureScore = options.failureScore ?? 0;
  let lastScores = new Map<string, number[]>();

  const combined: RewardFunction & { [COMPONENTS_ARE_REWARDS]: true } = {
    [COMPONENTS_ARE_REWARDS]: true,
    async score(input: RewardInput): Promise<RewardOutputWithFailures & { componentFailures: Record<string, (string | undefined)[]> }> {
      const result = await scoreAll(components, input, { failureScore, record: false });
      const value = (name: string, i: number) => {
        const s = result.components[`reward/${name}`][i];
        return Number.isFinite(s) ? s : failureScore;
      };
      lastScores = new Map(components.map((c) => [c.name, result.components[`reward/${c.name}`]]));
      const scores = input.trajectories.map((_, i) => {
        if (mode === 'product') return components.reduce((p, c) => p * value(c.name, i), options.scale ?? 1);
        const [first, ...rest] = components;
        if (mode === 'gate' && value(first.name, i) < (options.threshold ?? 1)) return options.otherwise ?? 0;
        const summed = mode === 'gate' ? rest : components;
        return summed.reduce((s, c) => s + (c.weight ?? 1) * value(c.name, i), 0);
      });
      const flat: Record<string, number[]> = {};
      for (const [k, v] of Object.entries(result.components)) flat[k.slice('reward/'.length)] = v;
      const componentFailures: Record<string, (string | undefined)[]> = {};
      result.failures.forEach((f, i) => {
        for (const [k, msg] of Object.entries(f ?? {})) {
          const name = k.slice('reward/'.length);
          (componentFailures[name] ??= new Array(input.trajectories.length).fill(undefined))[i] = msg;
        }
      });
      return { scores, components: flat, componentFailures };
    },
    observe(input, _scores) {
      for (const c of components) c.reward.observe?.(input, lastScores.get(c.name) ?? []);
    },
    state() {
      const out: Record<string, unknown> = {};
      for (const c of components) if (c.reward.state) out[c.name] = c.reward.state();
      return out;
    },
    loadState(state) {
      const s = (state ?? {}) as Record<string, unknown>;
      for (const c of components) if (c.reward.loadState && s[c.name] !== undefined) c.reward.loadState(s[c.name]);
    },
    async dispose() {
      for (const c of components) await c.reward.dispose?.();
    },
  };
  return combined;
}
