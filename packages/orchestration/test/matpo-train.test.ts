import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExperiment, definePlugin, initBackend, resolveRecipe, Tokens, type Sample } from '@tirl/core';
import { ScriptedPolicy, type Script } from '@tirl/core/testing';
import { z } from 'zod';
import { matpoMethod } from '../src';
import { load } from './helpers';

type Loaded = Record<string, unknown> & Record<string, (...a: never[]) => unknown>;
const policyPkg = load<Loaded>('@tirl/policy') as unknown as {
  ByteTokenizer: new () => import('@tirl/core').Tokenizer;
  createTinyModel: (c: Record<string, number>, seed: number) => import('@tirl/policy').CausalLM;
};
const trainerPkg = load<Loaded>('@tirl/trainer') as unknown as typeof import('@tirl/trainer');
const { demoCorpusPath } = load<{ demoCorpusPath: string }>('@tirl/tools-search');

// Wasm: the pure-JS backend spends ~40 s on the role prompts' attention; these tests check training, not exact numbers.
beforeAll(() => initBackend({ force: 'wasm' }));

/** Two questions over the bundled demo corpus. */
const dataset: Sample[] = [
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

/** Share of digits in the generated text: a reward with variance for a random model (the MATPO reward alone is constant there). */
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

/** The MATPO recipe, small: 2 prompts × group 2, short generations, workers search the demo corpus. */
const recipe = () =>
  resolveRecipe(
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
        steps: 1, promptsPerStep: 2, groupSize: 2, microBatchRows: 8, seed: 3, optimizer: { lr: 0.01 },
        decode: { maxNewTokens: 32 }, limits: { maxTurns: 2, maxTotalTokens: 400 },
      },
    },
    { recipes: [matpoMethod] },
  );

// The byte tokenizer's vocabulary: 256 bytes + 7 special tokens (pad, bos, eos, 4 role markers).
const tinyConfig = { vocabSize: 263, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 };
const WEIGHT = 'model.layers.0.mlp.up_proj.weight';

describe('MATPO training on a tiny model with the search tool', () => {
  it('trains planner and worker tokens in one update: workers searched, loss finite, parameters changed', async () => {
    // Rollouts come from a scripted policy (a random tiny model never writes a tool call); the update runs
    // on the real tiny model. Behaviour log-prob −ln 263 (uniform over the vocabulary) is the untrained model's, so ratios start near 1.
    const script: Script = ({ text, row, rowTurn }) => {
      if (text.includes('You are a worker.')) return rowTurn === 0 ? `<search>${text.includes('Mercury') ? 'Mercury moons' : 'Earth moon'}</search>` : 'It has 0 moons.';
      if (rowTurn === 0) return '<delegate>count moons</delegate>';
      // Even planner rows answer right, odd ones wrong: every group has reward variance.
      return row % 2 === 0 ? (text.includes('Mercury') ? '<answer>0</answer>' : '<answer>1</answer>') : '<answer>7</answer>';
    };
    const policy = new ScriptedPolicy({ script, logProb: -Math.log(263) });
    const model = policyPkg.createTinyModel(tinyConfig, 5);
    const before = model.namedWeights().get(WEIGHT)!.dataSync().slice();
    const exp = createExperiment(recipe(), { plugins: [inOrder, digitShare], services: [[Tokens.tokenizer, policy.tokenizer]] });
    const settings = trainerPkg.parseTrainerSettings(exp.recipe.settings);
    const trainer = new trainerPkg.Trainer({ exp, settings, policy, model, dataset });
    const m = await trainer.trainStep();
    // 4 planners, each with one worker that called search once.
    expect(m['batch/rows']).toBe(8);
    expect(m['rollout/children_per_root']).toBe(1);
    expect(m['rollout/tool_calls_per_trajectory']).toBe(1);
    expect(m['reward/matpo/accuracy']).toBeCloseTo(0.5, 10);
    // Workers do not multiply optimizer updates: one mini-batch, one update.
    expect(m['update/count']).toBe(1);
    expect(Number.isFinite(m['loss/total'])).toBe(true);
    const after = model.namedWeights().get(WEIGHT)!.dataSync();
    expect(after.some((x, i) => Math.abs(x - before[i]) > 1e-6)).toBe(true);
    trainer.optimizer.dispose();
    await exp.dispose();
    model.dispose();
  });

  it('runs train() with the tiny model generating its own rollouts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirl-matpo-'));
    const tokenizer = new policyPkg.ByteTokenizer();
    const model = policyPkg.createTinyModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize }, 7);
    const before = model.namedWeights().get(WEIGHT)!.dataSync().slice();
    try {
      const result = await trainerPkg.train({ recipe: recipe(), model, tokenizer, dataset, runDir: dir, plugins: [inOrder, digitShare], progress: false });
      expect(result.steps).toBe(1);
      expect(Number.isFinite(result.history[0]['loss/total'])).toBe(true);
      expect(result.history[0]['update/count']).toBe(1);
      const after = model.namedWeights().get(WEIGHT)!.dataSync();
      expect(after.some((x, i) => Math.abs(x - before[i]) > 1e-6)).toBe(true);
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
