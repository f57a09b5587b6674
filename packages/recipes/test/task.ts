import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeRun, definePlugin, initBackend, resolveRecipe, Tokens, type RecipeOverrides, type Sample } from '@tirl/core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the step tests train through the real policy and trainer
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { train } from '@tirl/trainer';
import type { InjectionToken } from 'tsyringe';
import { z } from 'zod';

/** A two-question search task: the answer is in a two-document corpus the `search` tool looks in. */
export const dataset: Sample[] = [
  // `preference` feeds the offline preference methods (one guidance number per byte token); others ignore it.
  { id: 'q1', messages: [{ role: 'user', content: 'Capital of France?' }], answer: 'Paris', preference: { chosen: 'Paris', rejected: 'Rome', chosenGuidance: [0.5, 0.5, 0.5, 0.5, 0.5], rejectedGuidance: [-0.5, -0.5, -0.5, -0.5] } },
  { id: 'q2', messages: [{ role: 'user', content: 'Capital of Italy?' }], answer: 'Rome', preference: { chosen: 'Rome', rejected: 'Paris', chosenGuidance: [0.5, 0.5, 0.5, 0.5], rejectedGuidance: [-0.5, -0.5, -0.5, -0.5, -0.5] } },
];

const docs = ['Paris is the capital of France.', 'Rome is the capital of Italy.'];

/**
 * A scripted local search tool with a one-word description: tool descriptions go into every prompt, and
 * attention cost grows with the square of its length (tool/search's description and schema would make
 * each step several times slower on the tiny model).
 */
export const tinySearch = definePlugin({
  kind: 'tool',
  name: 'tiny-search',
  summary: 'Test tool: returns the documents that contain a word of the query',
  options: z.object({}).strict(),
  create: () => ({
    name: 'search',
    description: 'Search.',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    call: async (args: unknown) => {
      const query = String((args as { query?: unknown })?.query ?? args ?? '').toLowerCase();
      const words = query.split(/\W+/).filter(Boolean);
      const hits = docs.filter((d) => words.some((w) => d.toLowerCase().includes(w)));
      return { ok: true, observation: hits.join('\n') || 'No results' };
    },
  }),
});

/**
 * Share of generated characters that occur in the answer: smooth, so a group of random rollouts from an
 * untrained model has reward variance (an exact-match reward alone would give every advantage 0).
 */
export const answerCharShare = definePlugin({
  kind: 'reward',
  name: 'answer-char-share',
  summary: 'Test reward: share of generated characters that occur in the gold answer',
  options: z.object({}).strict(),
  create: () => ({
    score: ({ trajectories, samples }) => ({
      scores: trajectories.map((t) => {
        const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
        const answer = String(samples.get(t.sampleId)?.answer ?? '').toLowerCase();
        return text.length ? [...text.toLowerCase()].filter((c) => answer.includes(c)).length / text.length : 0;
      }),
    }),
  }),
});

/**
 * Tiny-run overrides shared by every step test; `extra` adds recipe-specific ones, `withTool` the search tool.
 */
export function tinyOverrides(extra: readonly string[] = [], withTool = false): RecipeOverrides[] {
  return [
    { plugins: [['reward/answer-char-share'], ...(withTool ? [['tool/tiny-search'] as const] : [])] },
    [
      'seed=3',
      'steps=1',
      'groupSize=2',
      'promptsPerStep=2',
      'decode.maxNewTokens=6',
      'limits.maxTurns=2',
      'limits.maxTotalTokens=128',
      'optimizer.lr=0.01',
      'optimizer.warmupSteps=0',
      'miniBatches=1',
      ...extra,
    ],
  ];
}

/**
 * Step tests train on wasm: on the pure-JS backend the softmax over MATPO's long role prompts alone made its
 * step take ~60 s; wasm takes ~2 s. The tests check that a step trains, not exact numbers.
 */
export async function useWasmBackend(): Promise<void> {
  await initBackend({ force: 'wasm' });
}

const tokenizer = new ByteTokenizer();
const WATCHED = 'model.layers.0.mlp.up_proj.weight';

export interface StepResult {
  loss: number;
  changed: boolean;
  /** Metrics of every step trained. */
  history: Record<string, number>[];
}

/**
 * Trains one step of recipe `name` (or, with `task`, of method `name` on that task) on a fresh tiny model;
 * reports the loss and whether the weights moved.
 */
export async function trainOneStep(name: string, extra: readonly string[] = [], withTool = false, task?: string): Promise<StepResult> {
  const overrides = tinyOverrides(extra, withTool);
  const recipe = task === undefined ? resolveRecipe(name, overrides) : composeRun({ method: name, task, overrides });
  const model = createTinyModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 },
    11,
  );
  // RTO reads a DPO-trained model's token log-probs: a second tiny model stands in for it.
  const tokenRewardModel = createTinyModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 },
    12,
  );
  const runDir = mkdtempSync(join(tmpdir(), `tirl-recipe-${name}-`));
  try {
    const before = model.namedWeights().get(WATCHED)!.dataSync().slice();
    const services: [InjectionToken<unknown>, unknown][] = [[Tokens.tokenRewardModel, tokenRewardModel]];
    const result = await train({ recipe, model, tokenizer, dataset, runDir, plugins: [answerCharShare, tinySearch], services, progress: false });
    const after = model.namedWeights().get(WATCHED)!.dataSync();
    if (process.env.TIRL_DEBUG_STEP) console.log(JSON.stringify(result.history[0]));
    return { loss: result.history[0]['loss/total'], changed: after.some((x, i) => Math.abs(x - before[i]) > 1e-7), history: result.history };
  } finally {
    model.dispose();
    tokenRewardModel.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
}
