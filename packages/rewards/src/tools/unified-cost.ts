import { definePlugin, policyTokenCount, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { scoreEach } from '../util/score-each';

/** BATS unified cost: token cost plus the price of every tool call (`toolCalls[].cost`, else the per-tool price). */
export function unifiedCost(
  t: Trajectory,
  prices: { outputToken: number; inputToken: number; tools: Readonly<Record<string, number>> },
): { total: number; tools: number; tokens: number } {
  const tools = t.toolCalls.reduce((s, c) => s + (typeof c.cost === 'number' && Number.isFinite(c.cost) ? c.cost : (prices.tools[c.name] ?? 0)), 0);
  const output = policyTokenCount(t);
  const input = t.segments.reduce((n, s) => n + (s.source === 'policy' ? 0 : s.tokenIds.length), 0);
  const tokens = prices.outputToken * output + prices.inputToken * input;
  return { total: tools + tokens, tools, tokens };
}

/** −scale · C_unified, minus a penalty when a per-tool call budget was exceeded. */
export const unifiedCostReward = definePlugin({
  kind: 'reward',
  name: 'unified-cost',
  summary: 'Budget-aware cost term: −scale × (token cost + tool-call costs), with an optional penalty for exceeding per-tool call budgets (BATS)',
  paper: { title: 'Budget-Aware Tool-Use Enables Effective Agent Scaling (BATS)', arxiv: '2511.17006', section: '2.2 (unified cost), 3.1 (budgets)' },
  options: z
    .object({
      scale: z.number().nonnegative().default(1),
      /** Price per generated (policy) token. */
      outputTokenPrice: z.number().nonnegative().default(0),
      /** Price per context token (prompt, tool output, injected). */
      inputTokenPrice: z.number().nonnegative().default(0),
      /** Price per call by tool name, for records without a `cost`. */
      toolPrices: z.record(z.string(), z.number().nonnegative()).default({}),
      /** Maximum calls per tool name. */
      toolBudgets: z.record(z.string(), z.number().int().nonnegative()).default({}),
      /** Added (as a negative number) when any budget is exceeded. */
      overBudgetPenalty: z.number().nonnegative().default(0),
    })
    .strict(),
  create(options) {
    const prices = { outputToken: options.outputTokenPrice, inputToken: options.inputTokenPrice, tools: options.toolPrices };
    return {
      score: (input) =>
        scoreEach(input, (t) => {
          const cost = unifiedCost(t, prices);
          const over = Object.entries(options.toolBudgets).some(([name, budget]) => t.toolCalls.filter((c) => c.name === name).length > budget) ? 1 : 0;
          return {
            score: -options.scale * cost.total - over * options.overBudgetPenalty,
            components: { cost: cost.total, toolCost: cost.tools, tokenCost: cost.tokens, overBudget: over },
          };
        }),
    };
  },
});
