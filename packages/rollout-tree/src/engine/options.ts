import { z } from 'zod';

/** Options every rollout strategy passes to the engine. */
export const engineOptionsShape = {
  /** Append the BATS Budget Tracker block (calls used / remaining per tool) after each observation. */
  budgetLine: z.boolean().default(false),
  /** How deep sub-rollouts may nest (0 disables `spawn`). */
  maxSpawnDepth: z.number().int().nonnegative().default(2),
  /** Tokens at the start of a turn whose entropy measures the turn (ARPO uses 20). */
  entropyTokens: z.number().int().positive().default(20),
  /**
   * Where the results of calls that spawned a sub-agent go among a turn's observations: `call-order` (as
   * written), or `after-tools` (ordinary tool results first, then sub-agent results, each in call order: MATPO's
   * released code, which runs a turn's tools first and its workers after them). Unset = `call-order`.
   */
  subAgentResults: z.enum(['call-order', 'after-tools']).optional(),
};

export interface EngineOptions {
  budgetLine: boolean;
  maxSpawnDepth: number;
  entropyTokens: number;
  subAgentResults?: 'call-order' | 'after-tools';
  /** Unset = `turn`. */
  schedule?: 'turn' | 'trajectory';
}

/**
 * How `runToEnd` runs rollouts: `turn` (every unfinished rollout takes its next turn together, so each turn
 * waits for the slowest tool call of the batch) or `trajectory` (each rollout loops on its own and starts its
 * next turn as soon as its own calls return: VerlTool's trajectory-level asynchrony). Both sample the same
 * tokens under a seed. Branching strategies (ARPO, tree search) step turn by turn.
 */
export const scheduleShape = z.enum(['turn', 'trajectory']);
