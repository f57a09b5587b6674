/**
 * SFT learning curve: held-out greedy and sampled accuracy every `--every` SFT steps, to pick the
 * warm-start length and model size. `npx tsx --conditions=tirl-source apps/demo/bench/sft-curve.ts`
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { initBackend } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { evaluate } from '@tirl/trainer';
import { ACCURACY, buildRecipe, DEFAULT_OPTIONS } from '../src/demo';
import { demoPlugins } from '../src/plugins/compact-xml-tags';
import { demonstrationTraces, supervisedFineTune } from '../src/sft';
import { makeTask } from '../src/tasks';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '600' },
      every: { type: 'string', default: '100' },
      hidden: { type: 'string', default: '64' },
      layers: { type: 'string', default: '2' },
      lr: { type: 'string', default: '3e-3' },
      batch: { type: 'string', default: '16' },
      entities: { type: 'string', default: '1200' },
      task: { type: 'string', default: 'search' },
    },
  });
  await initBackend({});
  const hidden = Number(values.hidden);
  const task = makeTask(values.task, 1, Number(values.entities), 64);
  const tokenizer = new ByteTokenizer();
  const recipe = buildRecipe('grpo', task, DEFAULT_OPTIONS, 'evaluate');
  const model = createTinyModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: hidden, intermediateSize: hidden * 2, numHiddenLayers: Number(values.layers), numAttentionHeads: 4, numKeyValueHeads: 2 },
    1,
  );
  const traces = await demonstrationTraces(recipe, task, tokenizer, task.train, ACCURACY);
  const every = Number(values.every);
  const started = Date.now();
  for (let done = 0; done < Number(values.steps); done += every) {
    const losses = supervisedFineTune(model, traces, tokenizer, { steps: every, batchSize: Number(values.batch), lr: Number(values.lr), seed: done + 1 });
    const sftS = (Date.now() - started) / 1000;
    const greedy = await evaluate({ recipe, model, tokenizer, dataset: task.heldOut, plugins: demoPlugins, temperature: 0, seed: 1, accuracyReward: ACCURACY });
    const sampled = await evaluate({ recipe, model, tokenizer, dataset: task.heldOut, plugins: demoPlugins, seed: 1, accuracyReward: ACCURACY });
    const example = greedy.trajectories[0].segments.filter((s) => s.source !== 'prompt').map((s) => s.text).join('');
    console.log(
      `step ${done + every} loss ${losses.at(-1)!.toFixed(3)} greedy ${greedy.metrics['eval/accuracy'].toFixed(3)} sampled ${sampled.metrics['eval/accuracy'].toFixed(3)} ` +
        `calls ${sampled.metrics['eval/tool_calls_per_answer'].toFixed(2)} t ${sftS.toFixed(0)}s ${JSON.stringify(example)}`,
    );
  }
}

void main();
