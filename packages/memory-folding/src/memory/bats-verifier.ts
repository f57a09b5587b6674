import { definePlugin, type MemoryManager, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { injected, promptSegments, tokenCount, triggerField } from '../context';

export type ConstraintStatus = 'satisfied' | 'contradicted' | 'unverifiable';
export type Verdict = 'SUCCESS' | 'CONTINUE' | 'PIVOT';

/**
 * BATS's verifier decision: SUCCESS when every constraint is satisfied; PIVOT when one is contradicted or the
 * remaining tool budget is below `minBudget` (the paper lets the verifier judge "insufficient budget"; here a
 * number); CONTINUE otherwise.
 */
export function batsVerdict(statuses: readonly ConstraintStatus[], budgetLeft: number, minBudget: number): Verdict {
  if (statuses.length > 0 && statuses.every((s) => s === 'satisfied')) return 'SUCCESS';
  if (statuses.includes('contradicted') || budgetLeft < minBudget) return 'PIVOT';
  return 'CONTINUE';
}

/** The constraint statuses (one per line that names one) and the `Summary:` text of a `<verify>` block. */
export function parseVerification(block: string): { statuses: ConstraintStatus[]; summary: string } {
  const statuses: ConstraintStatus[] = [];
  const [body, ...rest] = block.split(/^\s*summary\s*:/im);
  for (const line of body.split('\n')) {
    const m = /\b(satisfied|contradicted|unverifiable)\b/i.exec(line);
    if (m) statuses.push(m[1].toLowerCase() as ConstraintStatus);
  }
  return { statuses, summary: rest.join('Summary:').trim() };
}

/** The last `<tag>…</tag>` block the policy wrote in a trajectory, or undefined. */
export function lastBlock(t: Trajectory, tag: string): string | undefined {
  const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
  const open = text.lastIndexOf(`<${tag}>`);
  const close = text.lastIndexOf(`</${tag}>`);
  return open >= 0 && close > open ? text.slice(open + tag.length + 2, close) : undefined;
}

/** Σ over the budgeted tools of (budget − calls made), never below 0 per tool. */
export function budgetLeft(t: Trajectory, budgets: Readonly<Record<string, number>>): number {
  return Object.entries(budgets).reduce((left, [name, b]) => left + Math.max(0, b - t.toolCalls.filter((c) => c.name === name).length), 0);
}

/**
 * BATS budget-aware verification as a context manager. The policy checks a proposed answer in a
 * `<verify>…</verify>` block (one line per constraint: satisfied / contradicted / unverifiable, then
 * `Summary: …`); the closing tag ends the turn and the verdict decides: SUCCESS keeps the context and tells
 * the policy to answer; CONTINUE or PIVOT replace the raw trajectory by the prompt plus the verifier's summary
 * and verdict (the summary replaces the trajectory, as in the paper), so the next attempt starts lean.
 */
export const batsVerifier = definePlugin({
  kind: 'memory',
  name: 'bats-verifier',
  summary: 'BATS verification: the policy verifies each constraint in <verify>; SUCCESS answers, CONTINUE/PIVOT replace the trajectory by its summary',
  paper: { title: 'Budget-Aware Tool-Use Enables Effective Agent Scaling', arxiv: '2511.17006', section: '4 (BATS: budget-aware verification; summary replaces the trajectory)' },
  options: z
    .object({
      /** Tag of the verification block; its closing tag is the fold tag. */
      tag: z.string().regex(/^[a-z][a-z0-9_-]*$/).default('verify'),
      /** Per-tool budgets the remaining budget is counted against (the run's `limits.toolBudgets`; paper 100 each). */
      budgets: z.record(z.string(), z.number().int().nonnegative()).default({}),
      /** Below this many calls left in total, a non-SUCCESS verdict is PIVOT (unverified: the paper's verifier judges it). */
      minBudget: z.number().int().nonnegative().default(1),
      triggerFraction: triggerField(0.9),
    })
    .strict(),
  create: (o): MemoryManager => ({
    triggerFraction: o.triggerFraction,
    foldTag: `</${o.tag}>`,
    async onOverflow({ trajectory, tokenizer, budget, trigger }) {
      const block = lastBlock(trajectory, o.tag);
      if (block === undefined) return trigger === 'tag' ? { kind: 'continue' } : { kind: 'stop' };
      const { statuses, summary } = parseVerification(block);
      const verdict = batsVerdict(statuses, budgetLeft(trajectory, o.budgets), o.minBudget);
      if (verdict === 'SUCCESS' && trigger === 'tag') {
        return { kind: 'continue', observation: `\n<verdict>SUCCESS: every constraint is satisfied. Give your final answer.</verdict>\n` };
      }
      const role = trajectory.role;
      const note = `\n<verdict>${verdict}</verdict>\nSummary of the previous attempt: ${summary || '(none)'}\n${verdict === 'PIVOT' ? 'Drop this lead and try another.' : 'Continue from this summary.'}\n`;
      const context = [...promptSegments(trajectory), injected(tokenizer, role, note)];
      if (tokenCount(context) >= o.triggerFraction * budget) return { kind: 'stop' };
      return { kind: 'fold', context };
    },
  }),
});
