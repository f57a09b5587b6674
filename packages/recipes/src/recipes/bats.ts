import { defineMethod } from '@tirl/core';

/**
 * The BATS guideline in the system prompt: budget regimes, planning and verification (tirl's wording of §4;
 * the paper's prompts were not available).
 */
export const BATS_PROMPT = [
  'You solve the task with tools under a per-tool call budget; after each tool result a <budget> block shows what is used and what remains.',
  'Budget regimes: with most of the budget left, explore broadly; as it shrinks, go deeper on the most promising lead; with little left, verify and answer.',
  'Plan: first split the question into exploration clues (to find candidates) and verification clues (to check them). Keep a tree-structured plan in <plan>…</plan>: each step with its status (todo, doing, done, failed) and the calls it used. Update statuses in place; never discard the plan.',
  'Verify: before answering, check the candidate against every constraint in <verify>…</verify>, one line per constraint marked satisfied, contradicted or unverifiable, then "Summary:" with what you know. If all are satisfied, answer; otherwise continue from your summary or pivot to another lead.',
].join('\n');

export const bats = defineMethod({
  name: 'bats',
  extends: 'search-r1',
  paper: { title: 'Budget-Aware Tool-Use Enables Effective Agent Scaling', arxiv: '2511.17006', section: '3.1 (Budget Tracker), 4 (BATS planning and verification), 5 (budget 100 per tool, temperature 0.7)' },
  description: 'Search GRPO with the Budget Tracker after every tool result, budget-aware planning in the prompt and a verifier whose CONTINUE/PIVOT summary replaces the trajectory',
  plugins: [
    // §3.1: the Budget Tracker block (used / remaining per tool) after every observation.
    ['rollout/linear', { budgetLine: true }],
    // §4: guideline with budget regimes, planning and verification instructions.
    ['router/orchestrator', { role: 'agent', prompt: BATS_PROMPT, tools: ['search'] }],
    // §4: SUCCESS / CONTINUE / PIVOT; the verifier's summary replaces the raw trajectory. Budget 100 per tool (§5).
    ['memory/bats-verifier', { budgets: { search: 100 } }],
    // The plan and verification blocks are free text, not tool calls.
    ['toolFormat/xml-tags', { freeTags: ['think', 'plan', 'verify'] }],
  ],
  // §5: per-tool budget 100 (main tables); acting temperature 0.7.
  settings: { limits: { toolBudgets: { search: 100 } }, decode: { temperature: 0.7 } },
});
