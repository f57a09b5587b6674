import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExperiment, definePlugin, resolveRecipe, Tokens, type AnyPluginDefinition, type ResolvedRecipe, type Sample } from '@tirl/core';
import { ScriptedPolicy, type Script } from '@tirl/core/testing';
import { matpoMethod } from '@tirl/orchestration';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { demoCorpusPath } from '@tirl/tools-search';
import { parseTrainerSettings, Trainer, train, TRAJECTORY_LOG_FILE } from '@tirl/trainer';
import { z } from 'zod';

/*
 * Run folders for the viewer's tests, written by short real training runs on a tiny model: the updates
 * are real; the MATPO and tree runs take their rollouts from a scripted policy (a random tiny model never
 * writes a tool call), the GRPO run generates with the tiny model itself through train().
 */

export const dataset: Sample[] = [
  { id: 'mercury', messages: [{ role: 'user', content: 'How many moons does Mercury have?' }], answer: '0' },
  { id: 'earth', messages: [{ role: 'user', content: 'How many moons does Earth have?' }], answer: '1' },
];

const inOrder = definePlugin({
  kind: 'sampler',
  name: 'in-order',
  summary: 'Test sampler: the dataset in order, cycling',
  options: z.object({}).strict(),
  create: () => {
    let data: readonly Sample[] = [];
    let at = 0;
    return { setDataset: (s: readonly Sample[]) => void (data = s), next: (n: number) => Array.from({ length: n }, () => ({ sample: data[at++ % data.length] })) };
  },
});

/** Share of digits in the generated text: a reward with variance even for a random model. */
const digitShare = definePlugin({
  kind: 'reward',
  name: 'digit-share',
  summary: 'Test reward: share of generated characters that are digits',
  options: z.object({}).strict(),
  create: () => ({
    score: ({ trajectories }) => ({
      scores: trajectories.map((t) => {
        const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
        return text.length ? [...text].filter((c) => c >= '0' && c <= '9').length / text.length : 0;
      }),
    }),
  }),
});

export const testPlugins: AnyPluginDefinition[] = [inOrder, digitShare];
const tinyConfig = { vocabSize: new ByteTokenizer().vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 };

/** MATPO: planners delegate to workers that search; odd planner rows call `search` themselves, which planners lack (a failed call). */
export const matpoScript: Script = ({ text, row, rowTurn }) => {
  const mercury = text.includes('Mercury');
  if (text.includes('You are a worker.')) return rowTurn === 0 ? `<search>${mercury ? 'Mercury moons' : 'Earth moon'}</search>` : `It has ${mercury ? 0 : 1} moons.`;
  if (rowTurn === 0) return row % 2 === 0 ? '<delegate>count moons</delegate>' : '<search>moons</search>';
  return row % 4 === 0 ? `<answer>${mercury ? 0 : 1}</answer>` : '<answer>7</answer>';
};

export function matpoRecipe(steps: number): ResolvedRecipe {
  return resolveRecipe(
    matpoMethod,
    {
      plugins: [
        ['sampler/in-order'],
        ['tool/search', { corpusPath: demoCorpusPath, k: 1, snippetChars: 60 }],
        ['toolFormat/xml-tags', { tags: ['delegate', 'search'] }],
        ['reward/digit-share'],
        ['reward/matpo', { answerSource: 'final' }],
        [
          'router/matpo',
          { workerTools: ['search'], workerMaxTurns: 2, plannerPrompt: 'You plan.', workerPrompt: 'You are a worker.', workerTemplate: '{query} {subtask}', finalPrompt: 'Report.' },
        ],
      ],
      settings: {
        steps, promptsPerStep: 2, groupSize: 2, microBatchRows: 8, seed: 3, optimizer: { lr: 0.01 },
        decode: { maxNewTokens: 32 }, limits: { maxTurns: 2, maxTotalTokens: 400 }, trajectoryLog: { groupsPerStep: 2 },
      },
    },
    { recipes: [matpoMethod] },
  );
}

/** Tree-GRPO branching at turn boundaries: search, then answer (right on even rows). */
export const treeScript: Script = ({ text, row, rowTurn }) =>
  rowTurn === 0 ? `<search>${text.includes('Mercury') ? 'Mercury moons' : 'Earth moon'}</search>` : row % 2 ? '<answer>9</answer>' : `<answer>${text.includes('Mercury') ? 0 : 1}</answer>`;

export function treeRecipe(steps: number): ResolvedRecipe {
  return resolveRecipe({
    name: 'tree-grpo-test',
    plugins: [
      ['sampler/in-order'],
      ['rollout/tree-search', { mode: 'tree-grpo', leavesPerTree: 2, expansionsPerRound: 1, rounds: 1 }],
      ['toolFormat/xml-tags', { tags: ['search'] }],
      ['tool/search', { corpusPath: demoCorpusPath, k: 1, snippetChars: 60 }],
      ['reward/digit-share'],
      ['advantage/grpo'],
      ['objective/ppo-clip'],
      ['aggregation/token-mean'],
    ],
    settings: { steps, promptsPerStep: 1, groupSize: 4, microBatchRows: 8, seed: 5, optimizer: { lr: 0.01 }, decode: { maxNewTokens: 48 }, limits: { maxTurns: 2, maxTotalTokens: 400 } },
  });
}

/**
 * Trains `steps` real steps of a tiny model on rollouts of `script`, writing the run folder as train()
 * does: recipe.json, one metrics line and one trajectory-log line per step.
 */
export async function scriptedRun(dir: string, recipe: ResolvedRecipe, script: Script, steps: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify(recipe, null, 2));
  writeFileSync(join(dir, 'metrics.jsonl'), '');
  writeFileSync(join(dir, TRAJECTORY_LOG_FILE), '');
  const policy = new ScriptedPolicy({ script, logProb: -Math.log(tinyConfig.vocabSize) });
  const model = createTinyModel(tinyConfig, 5);
  const exp = createExperiment(recipe, { plugins: testPlugins, services: [[Tokens.tokenizer, policy.tokenizer]] });
  const settings = parseTrainerSettings(exp.recipe.settings);
  const onTrajectories = (r: unknown) => appendFileSync(join(dir, TRAJECTORY_LOG_FILE), JSON.stringify(r) + '\n');
  const trainer = new Trainer({ exp, settings, policy, model, dataset, onTrajectories });
  try {
    for (let s = 0; s < steps; s++) appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(await trainer.trainStep()) + '\n');
  } finally {
    trainer.optimizer.dispose();
    await exp.dispose();
    model.dispose();
  }
}

/** GRPO through train(): the tiny model generates its own (tool-less, random) rollouts. */
export async function grpoRun(dir: string, steps: number): Promise<void> {
  const tokenizer = new ByteTokenizer();
  const model = createTinyModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize }, 7);
  const recipe = resolveRecipe({
    name: 'grpo-test',
    plugins: [['sampler/in-order'], ['rollout/linear'], ['toolFormat/xml-tags'], ['reward/digit-share'], ['advantage/grpo'], ['objective/ppo-clip'], ['aggregation/token-mean']],
    settings: { steps, promptsPerStep: 2, groupSize: 3, microBatchRows: 8, seed: 7, optimizer: { lr: 0.01 }, decode: { maxNewTokens: 12 }, limits: { maxTurns: 1, maxTotalTokens: 200 } },
  });
  try {
    await train({ recipe, model, tokenizer, dataset, runDir: dir, plugins: testPlugins, progress: false, overwrite: true });
  } finally {
    model.dispose();
  }
}
