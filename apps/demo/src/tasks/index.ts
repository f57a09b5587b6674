import { arithmeticTask } from './arithmetic';
import { multihopTask } from './multihop';
import { searchTask } from './search';
import type { DemoTask } from './types';

export type { DemoTask } from './types';

/** Tasks `--task` accepts. */
export const TASKS = ['search', 'multihop', 'multihop-matpo', 'arithmetic'] as const;

/** Options only some tasks take. */
export interface TaskExtras {
  /** `arithmetic`: share of easy questions the teacher answers with a needless python call. */
  needlessCallShare?: number;
  /** `search`: share of questions on names the teacher is unsure of that it answers by guessing (default 0.75). */
  guessShare?: number;
}

/**
 * The search teacher guesses on three quarters of the questions about names it is unsure of: SFT alone then
 * imitates a habit that RL with the exact-match reward can unlearn (with a perfect teacher SFT reaches the
 * ceiling and leaves RL nothing to do).
 */
export const SEARCH_GUESS_SHARE = 0.75;

export function makeTask(name: string, seed: number, entities: number, heldOut: number, extras: TaskExtras = {}): DemoTask {
  if (extras.needlessCallShare !== undefined && name !== 'arithmetic') {
    throw new Error(`demo: --needless-calls applies to --task arithmetic only, not "${name}"`);
  }
  if (extras.guessShare !== undefined && name !== 'search') {
    throw new Error(`demo: --teacher-guesses applies to --task search only, not "${name}"`);
  }
  if (name === 'search') return searchTask({ seed, entities, heldOut, guessShare: extras.guessShare ?? SEARCH_GUESS_SHARE });
  if (name === 'arithmetic') return arithmeticTask({ seed, questions: entities, heldOut, needlessCallShare: extras.needlessCallShare });
  if (name === 'multihop') return multihopTask({ seed, entities, heldOut, agents: 'single' });
  if (name === 'multihop-matpo') return multihopTask({ seed, entities, heldOut, agents: 'matpo' });
  throw new Error(`demo: unknown task "${name}"; available tasks: ${TASKS.join(', ')}, or matpo (MATPO vs single agent on multihop)`);
}
