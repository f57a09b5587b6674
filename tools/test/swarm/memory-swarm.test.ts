import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, initBackend, resolveRecipe } from '@tirl/core';
import { MemorySwarm } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { z } from 'zod';
import { dataset, digitReward, inOrderSampler, newModel, tokenizer } from '../scale-out/task';

/** What each node's reward saw: sample id, decoded completion, and the score it gave. */
const seen: Record<string, { sampleId: string; text: string }[]> = { a: [], b: [] };

/** Scores 1 for a completion containing the answer digit, 0 otherwise, and records what it scored. */
const recordingReward = (node: 'a' | 'b') =>
  definePlugin({
    kind: 'reward',
    name: `contains-answer-${node}`,
    summary: 'Test reward: 1 when the completion contains the answer',
    options: z.object({}).strict(),
    create: () => ({
      score: ({ trajectories, samples }) => ({
        scores: trajectories.map((t) => {
          const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
          seen[node].push({ sampleId: t.sampleId, text });
          return text.includes(String(samples.get(t.sampleId)?.answer)) ? 1 : 0;
        }),
      }),
    }),
  });

const STEPS = 2;
const recipeFor = (node: 'a' | 'b') =>
  resolveRecipe(
    {
      name: `swarm-${node}`,
      plugins: [
        ['sampler/in-order'],
        ['rollout/linear'],
        ['toolFormat/xml-tags'],
        [`reward/contains-answer-${node}`],
        ['advantage/grpo', { eps: 1e-8 }],
        ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28 }],
        ['aggregation/token-mean'],
      ],
      settings: {
        seed: node === 'a' ? 1 : 2,
        steps: STEPS,
        promptsPerStep: 2,
        groupSize: 2,
        microBatchRows: 8,
        optimizer: { lr: 0.01 },
        decode: { maxNewTokens: 8 },
        limits: { maxTurns: 1, maxTotalTokens: 256 },
        swarm: { external: 2 },
        oldLogProbs: 'recompute',
      },
    },
    undefined,
    { recipes: [] },
  );

describe('Swarm SAPO: two nodes in one process', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ force: 'cpu' });
    dir = mkdtempSync(join(tmpdir(), 'tirl-swarm-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains each node on its own groups plus the peer's, re-scored by its own reward, with ratio 1", async () => {
    const swarm = new MemorySwarm();
    const run = (node: 'a' | 'b') =>
      train({
        recipe: recipeFor(node),
        model: newModel(),
        tokenizer,
        dataset,
        runDir: join(dir, node),
        plugins: [inOrderSampler, digitReward, recordingReward(node)],
        progress: false,
        swarm: { node, sharing: swarm.join(node), waitSeconds: 30 },
      });
    const [a, b] = await Promise.all([run('a'), run('b')]);

    for (const { history } of [a, b]) {
      expect(history).toHaveLength(STEPS);
      for (const m of history) {
        expect(m['swarm/local_groups']).toBe(2);
        expect(m['swarm/external_groups']).toBe(2);
        expect(m['filter/kept_groups']).toBe(4);
        expect(m['batch/rows']).toBe(8);
        // Old log-probs recomputed just before the one update: ℓ_old = ℓ, so E[ℓ_old − ℓ] is 0.
        expect(Math.abs(m['objective/ppo-clip/approx_kl'])).toBeLessThan(1e-6);
      }
    }
    // Every completion a scored for its own sample ids reached b under "a/<step>/<id>", and b's reward scored
    // it as b's tokenizer reads the text: re-encoded, cut at b's 8 new tokens (the end token counts), decoded.
    // (A tiny random model writes invalid UTF-8; its replacement characters re-encode to 3 bytes each.)
    const asReceived = (text: string) => tokenizer.decode([...tokenizer.encode(text), tokenizer.eosTokenId].slice(0, 8), { skipSpecialTokens: true });
    for (const [from, to] of [['a', 'b'], ['b', 'a']] as const) {
      const own = seen[from].filter((s) => !s.sampleId.includes('/'));
      const received = seen[to].filter((s) => s.sampleId.startsWith(`${from}/`));
      expect(received).toHaveLength(STEPS * 2 * 2);
      const byQuestion = (list: typeof own, strip: boolean) =>
        list.map((s) => `${strip ? s.sampleId.split('/')[2] : s.sampleId}:${strip ? s.text : asReceived(s.text)}`).sort();
      expect(byQuestion(received, true)).toEqual(byQuestion(own, false));
    }
  });

  it('refuses a method that takes peers\' rollouts when the run is in no swarm, naming the fix', async () => {
    await expect(
      train({ recipe: recipeFor('a'), model: newModel(), tokenizer, dataset, runDir: join(dir, 'alone'), plugins: [inOrderSampler, recordingReward('a')], progress: false }),
    ).rejects.toThrow(/swarm\.external = 2.*--swarm redis:\/\/HOST:PORT --node NAME, or --set swarm\.external=0/);
  });
});
