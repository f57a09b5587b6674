/**
 * Swarm SAPO on one machine: N nodes (each its own tiny policy, seed and questions) train with I local + J peer
 * groups per step, against the same nodes training alone on I + J local groups (the paper's 8/0 vs 4/4
 * comparison, scaled down). Prints one JSON line per node and step with the mean reward of the node's OWN
 * rollouts (peers' groups excluded), then a summary line per configuration, and the load average.
 *
 *   npx tsx --conditions=tirl-source apps/demo/bench/swarm.ts [--nodes 3] [--steps 30] [--local 2] [--external 2] [--group 4] [--lr 1e-2]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { definePlugin, describeBackend, initBackend, resolveRecipe, type Sample } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { MemorySwarm } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    steps: { type: 'string', default: '30' },
    local: { type: 'string', default: '2' },
    external: { type: 'string', default: '2' },
    group: { type: 'string', default: '4' },
    lr: { type: 'string', default: '1e-2' },
  },
});
const nodes = Number(values.nodes);
const steps = Number(values.steps);
const I = Number(values.local);
const J = Number(values.external);
const G = Number(values.group);

/** Single-digit sums; node n gets every nodes-th question, so nodes hold different data. */
const questions: Sample[] = [];
for (let a = 0; a <= 4; a++) for (let b = 0; b <= 4; b++) questions.push({ id: `${a}+${b}`, messages: [{ role: 'user', content: `${a}+${b}=` }], answer: String(a + b) });
const dataFor = (node: number) => questions.filter((_, i) => i % nodes === node);

/** Share of generated characters equal to the answer digit (smooth, so small groups have variance). */
const ownRewards = new Map<string, number[]>();
const digitShare = (node: string) =>
  definePlugin({
    kind: 'reward',
    name: `digit-share-${node}`,
    summary: 'Bench reward: share of generated characters equal to the answer',
    options: z.object({}).strict(),
    create: () => ({
      score: ({ trajectories, samples }) => {
        const scores = trajectories.map((t) => {
          const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
          const answer = String(samples.get(t.sampleId)?.answer ?? '');
          return text.length ? [...text].filter((c) => c === answer).length / text.length : 0;
        });
        const own = scores.filter((_, i) => !trajectories[i].sampleId.includes('/'));
        ownRewards.set(node, [...(ownRewards.get(node) ?? []), own.reduce((a, b) => a + b, 0) / Math.max(own.length, 1)]);
        return { scores };
      },
    }),
  });

const epochSampler = definePlugin({
  kind: 'sampler',
  name: 'cycle',
  summary: 'Bench sampler: cycles through the node data',
  options: z.object({}).strict(),
  create: () => {
    let data: readonly Sample[] = [];
    let cursor = 0;
    return { setDataset: (s: readonly Sample[]) => void (data = s), next: (n: number) => Array.from({ length: n }, () => ({ sample: data[cursor++ % data.length] })) };
  },
});

function recipeFor(node: string, local: number, external: number) {
  return resolveRecipe(
    {
      name: `swarm-bench-${node}`,
      plugins: [
        ['sampler/cycle'], ['rollout/linear'], ['toolFormat/xml-tags'], [`reward/digit-share-${node}`],
        ['advantage/grpo', { eps: 1e-8 }], ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28 }], ['aggregation/token-mean'],
      ],
      settings: {
        seed: 1, steps, promptsPerStep: local, groupSize: G, microBatchRows: 32, optimizer: { lr: Number(values.lr) },
        decode: { maxNewTokens: 6 }, limits: { maxTurns: 1, maxTotalTokens: 64 }, swarm: { external }, oldLogProbs: 'recompute',
      },
    },
    undefined,
    { recipes: [] },
  );
}

async function runConfig(label: string, local: number, external: number): Promise<number[][]> {
  const swarm = new MemorySwarm();
  const dir = mkdtempSync(join(tmpdir(), 'tirl-swarm-bench-'));
  ownRewards.clear();
  const tokenizer = new ByteTokenizer();
  try {
    await Promise.all(
      Array.from({ length: nodes }, (_, n) => {
        const node = `${label}-n${n}`;
        return train({
          recipe: recipeFor(node, local, external),
          model: createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 2, numKeyValueHeads: 1 }, 100 + n),
          tokenizer,
          dataset: dataFor(n),
          runDir: join(dir, node),
          plugins: [epochSampler, digitShare(node)],
          progress: false,
          ...(external > 0 ? { swarm: { node, sharing: swarm.join(node), waitSeconds: 120 } } : {}),
          onStep: (step) => console.log(JSON.stringify({ config: label, node: n, step, ownReward: ownRewards.get(node)?.at(-1) })),
        });
      }),
    );
    return Array.from({ length: nodes }, (_, n) => ownRewards.get(`${label}-n${n}`) ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);

async function main(): Promise<void> {
  console.log(describeBackend(await initBackend({})));
  const load0 = loadavg()[0];
  const alone = await runConfig('alone', I + J, 0);
  const shared = await runConfig('swarm', I, J);
  for (const [label, curves] of [[`alone ${I + J}/0`, alone], [`swarm ${I}/${J}`, shared]] as const) {
    const cumulative = curves.map((c) => c.reduce((a, b) => a + b, 0));
    const last5 = curves.map((c) => mean(c.slice(-5)));
    console.log(JSON.stringify({ summary: label, nodes, steps, group: G, cumulativeOwnReward: cumulative, meanCumulative: mean(cumulative), lastFiveStepsMean: last5 }));
  }
  console.log(JSON.stringify({ load: { start: load0, end: loadavg()[0] }, cores: cpus().length }));
}

void main();
