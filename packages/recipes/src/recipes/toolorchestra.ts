import { defineMethod } from '@tirl/core';

/**
 * ToolOrchestra: one orchestrator policy whose choices are tools and other models (each call's price on its
 * record), trained with GRPO on the outcome-gated preference reward. Add models with
 * `router/orchestrator.models` (OpenAI-compatible endpoints, `costPer1kTokens`); per-sample preference vectors
 * go in `sample.meta.preference`.
 */
export const toolorchestra = defineMethod({
  name: 'toolorchestra',
  extends: 'base',
  paper: { title: 'ToolOrchestra: Elevating Intelligence via Efficient Model and Tool Orchestration', arxiv: '2511.21689', section: '3.2 (reward, training techniques), 4.4 (settings)' },
  description: 'GRPO for an orchestrator over tools and models: outcome-gated, preference-weighted reward over group-normalised tool counts, outcome, −cost and −latency',
  plugins: [
    // §3: the orchestrator calls basic tools (search here; the task's tools) and models behind endpoints.
    ['router/orchestrator', { tools: ['search'] }],
    // §3.2: R = M_norm·P when solved, else 0; default P = {outcome 1, compute 1, latency 0}.
    ['reward/tool-orchestra'],
    // §3.2: GRPO advantage (R − mean)/std over the task's rollouts.
    ['advantage/grpo'],
    // §3.2 homogeneity filtering: a group whose reward std is below 0.1 is not trained.
    ['filter/dynamic-sampling', { minStd: 0.1, maxGenerations: 1, onExhausted: 'pad' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    ['aggregation/token-mean'],
  ],
  scoresCorrectness: true,
});
