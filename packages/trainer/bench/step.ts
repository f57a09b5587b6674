/**
 * Time split of training steps on a tiny model with a search tool: rollout (generation + tools),
 * tool calls (summed latency), scoring, advantages, update, and throughput. Prints one JSON object per
 * line: `{ name, value, unit, backend, config }`.
 *
 *   npx tsx --conditions=tirl-source packages/trainer/bench/step.ts [--steps 3]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { definePlugin, initBackend, resolveRecipe, type Sample } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { z } from 'zod';
import { train } from '../src';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '3' } } });
const docs = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, title: `Item ${i}`, text: `Item ${i} has the code ${(i * 37) % 101}.`, url: `kb://${i}` }));
const dataset: Sample[] = docs.map((d, i) => ({ id: `q${i}`, messages: [{ role: 'user', content: `What is the code of Item ${i}? Search, then answer.` }], answer: String((i * 37) % 101) }));

const inOrder = definePlugin({
  kind: 'sampler',
  name: 'bench-in-order',
  summary: 'Benchmark sampler: the dataset in order',
  options: z.object({}).strict(),
  create: () => {
    let data: readonly Sample[] = [];
    let i = 0;
    return { setDataset: (s: readonly Sample[]) => void (data = s), next: (n: number) => Array.from({ length: n }, () => ({ sample: data[i++ % data.length] })) };
  },
});

async function main(): Promise<void> {
  const backend = await initBackend();
  const tokenizer = new ByteTokenizer();
  const config = { vocabSize: tokenizer.vocabSize, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 };
  const settings = { steps: Number(values.steps), promptsPerStep: 4, groupSize: 4, decode: { maxNewTokens: 32 }, limits: { maxTurns: 2, maxTotalTokens: 512 } };
  const recipe = resolveRecipe(
    {
      name: 'bench',
      plugins: [
        ['sampler/bench-in-order'],
        ['rollout/linear'],
        ['toolFormat/xml-tags', { tags: ['search'] }],
        ['tool/search', { docs }],
        ['reward/exact-match'],
        ['advantage/grpo'],
        ['objective/ppo-clip'],
        ['aggregation/token-mean'],
      ],
      settings,
    },
    undefined,
    { recipes: [] },
  );
  const dir = mkdtempSync(join(tmpdir(), 'tirl-bench-'));
  const model = createTinyModel(config, 0);
  const { history } = await train({ recipe, model, tokenizer, dataset, runDir: dir, plugins: [inOrder], progress: false });
  rmSync(dir, { recursive: true, force: true });
  const last = history.slice(1).length ? history.slice(1) : history;
  const mean = (k: string) => last.reduce((s, m) => s + (m[k] ?? 0), 0) / last.length;
  const print = (name: string, value: number, unit: string) =>
    console.log(JSON.stringify({ name, value: Number(value.toFixed(4)), unit, backend: backend.name, config: { ...config, ...settings } }));
  print('rollout_s', mean('time/rollout_s'), 's');
  print('tool_calls_summed_s', mean('time/tool_calls_summed_s'), 's');
  print('scoring_s', mean('time/scoring_s'), 's');
  print('advantage_s', mean('time/advantage_s'), 's');
  print('update_s', mean('time/update_s'), 's');
  print('step_s', mean('time/step_s'), 's');
  print('rollout_share', mean('time/rollout_s') / mean('time/step_s'), 'ratio');
  print('trained_tokens_per_s', mean('throughput/trained_tokens_per_s'), 'tokens/s');
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
