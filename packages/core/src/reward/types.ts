import type { RewardFunction, RewardOutput } from '../kinds';

/** A reward instance with the name its metrics are logged under (`reward/<name>`). */
export interface NamedReward {
  name: string;
  reward: RewardFunction;
  /** Weight in a weighted sum (default 1). */
  weight?: number;
}

/** A reward output that may also say why a trajectory could not be scored (its score is then NaN). */
export interface RewardOutputWithFailures extends RewardOutput {
  failures?: (string | undefined)[];
}

/** Marks a reward whose `components` are themselves rewards, logged as `reward/<component>`. */
export const COMPONENTS_ARE_REWARDS = 'componentsAreRewards';
