import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, createExperiment, resolveRecipe, type MemoryManager, type Trajectory } from '@tirl/core';
import { expectClose, runMemoryKit } from '@tirl/core/testing';
import { deepAgentMemory, failMemory, MEMORY_PROMPTS, memoryJson, slidingWindowMemory, summarizeMemory } from '../src';
import { agentScript, create, load, rollout } from './helpers';

runMemoryKit(failMemory, { valid: {}, invalid: [{ options: { triggerFraction: 0 }, field: 'triggerFraction' }] });
runMemoryKit(slidingWindowMemory, { valid: {}, invalid: [{ options: { keepTokens: -1 }, field: 'keepTokens' }, { options: { triggerFraction: 1.5 }, field: 'triggerFraction' }] });
runMemoryKit(summarizeMemory, { valid: {}, invalid: [{ options: { maxSummaryTokens: 0 }, field: 'maxSummaryTokens' }] });
runMemoryKit(deepAgentMemory, { valid: {}, invalid: [{ options: { maxFolds: -1 }, field: 'maxFolds' }] });

const all = (o: { output: { trees: { trajectories: Trajectory[] }[] } }) => o.output.trees.flatMap((t) => t.trajectories);
const pieces = (ts: Trajectory[]) => ts.filter((t) => t.meta?.foldPiece !== undefined);

describe('memory/fail', () => {
  it('stops the rollout at the trigger with finish reason "context"', async () => {
    const run = await rollout(agentScript(), create<MemoryManager>(failMemory, { triggerFraction: 0.5 }), 600, 1);
    const [t] = all(run);
    expect(t.finishReason).toBe('context');
    expect(pieces(all(run))).toEqual([]);
  });
});

describe('memory/sliding-window', () => {
  it('continues in a new row holding the prompt and the last keepTokens history tokens, masked; the piece is a row of its own', async () => {
    const run = await rollout(agentScript(), create<MemoryManager>(slidingWindowMemory, { triggerFraction: 0.5, keepTokens: 20 }), 600, 1);
    const ts = all(run);
    const [root] = ts;
    const [piece] = pieces(ts);
    expect(piece.parentId).toBe(root.id);
    expect(piece.rootId).toBe(root.id);
    // The new row: the same prompt tokens, then exactly the piece's last 20 tokens as injected (untrained) tokens.
    const promptIds = piece.segments[0].tokenIds;
    expect(root.segments[0].tokenIds).toEqual(promptIds);
    const carried = root.segments.slice(1).filter((s) => s.source === 'injected');
    const pieceIds = piece.segments.flatMap((s) => s.tokenIds);
    expect(carried.flatMap((s) => s.tokenIds)).toEqual(pieceIds.slice(-20));
    expect(root.segments[1].source).toBe('injected');
  });

  it('gives the post-fold row and the closed piece the same episode advantage', async () => {
    const run = await rollout(agentScript(), create<MemoryManager>(slidingWindowMemory, { triggerFraction: 0.5, keepTokens: 20 }), 600, 2);
    const ts = all(run);
    const batch = buildBatch(ts);
    // Root rewards 1 and 0: GRPO over the two roots, A = ±1/√2 (unbiased std of {1, 0} = 0.7071); pieces follow their root.
    const scores = Float32Array.from(ts, (t) => (t.rootId === ts[0].id ? 1 : 0));
    const exp = createExperiment(resolveRecipe({ name: 'm', plugins: [['advantage/matpo']] }, undefined, { recipes: [] }));
    const adv = exp.get('advantage').compute({ batch, scores }).advantages.arraySync() as number[][];
    const mask = batch.lossMask.arraySync() as number[][];
    const A = 0.5 / (Math.SQRT1_2 + 1e-6);
    ts.forEach((t, b) => {
      const a = t.rootId === ts[0].id ? A : -A;
      expectClose(adv[b], mask[b].map((m) => m * a), 1e-5);
    });
    expect(pieces(ts).length).toBeGreaterThan(0);
    batch.dispose();
  });
});

describe('memory/summarize', () => {
  it('trains the summary as a fold action on the piece and carries it masked into the new context', async () => {
    // The byte tokenizer writes each chat marker as one special token, so the three-search episode is
    // shorter than a byte-per-character chat format made it: a 700-token context (trigger at 350) still folds.
    const run = await rollout(agentScript(() => 'SUMMARY: searched q0 and q1'), create<MemoryManager>(summarizeMemory, { triggerFraction: 0.5 }), 700, 1);
    const ts = all(run);
    const [root] = ts;
    const [piece] = pieces(ts);
    const last = piece.segments.at(-1)!;
    expect(last.source).toBe('policy');
    expect(last.text).toBe('SUMMARY: searched q0 and q1');
    expect(piece.segments.at(-2)!.source).toBe('injected');
    const carried = root.segments.find((s) => s.source === 'injected' && s.tokenIds.join() === last.tokenIds.join());
    expect(carried).toBeDefined();
    expect(root.segments.slice(0, 3).map((s) => s.source)).toEqual(['prompt', 'injected', 'injected']);
  });
});

describe('memory/deepagent', () => {
  it('replaces the history with episodic, working and tool memories as JSON', async () => {
    const reply = (text: string) =>
      text.includes(MEMORY_PROMPTS.episodic) ? 'Here: {"task_description": "find", "key_events": [], "current_progress": "half"}' : text.includes(MEMORY_PROMPTS.working) ? '{"immediate_goal": "answer"}' : 'not json';
    const run = await rollout(agentScript(reply, 6), create<MemoryManager>(deepAgentMemory, { triggerFraction: 0.3 }), 2000, 1);
    const ts = all(run);
    const [root] = ts;
    const block = root.segments[1].text!;
    expect(block).toContain('Episode Memory: {"task_description":"find","key_events":[],"current_progress":"half"}');
    expect(block).toContain('Working Memory: {"immediate_goal":"answer"}');
    expect(block).toContain('Tool Memory: {"unparsed":"not json"}');
    // Three trained memory generations on the piece.
    expect(pieces(ts)[0].segments.slice(-6).map((s) => s.source)).toEqual(['injected', 'policy', 'injected', 'policy', 'injected', 'policy']);
  });

  it('folds when the policy writes <fold_thought>, far below the budget; the tag is a trained token of the piece', async () => {
    const script = ({ text }: { text: string }) => {
      if (!text.slice(text.lastIndexOf('<|user|>')).includes('Find it.')) return '{}';
      if (text.includes('Memory of previous folded thoughts')) return '<answer>done</answer>';
      return (text.match(/<search>/g) ?? []).length < 2 ? '<search>q0</search>' : 'enough <fold_thought> not sampled';
    };
    const run = await rollout(script, create<MemoryManager>(deepAgentMemory), 4000, 1);
    const ts = all(run);
    const [root] = ts;
    const [piece] = pieces(ts);
    expect(pieces(ts)).toHaveLength(1);
    expect(piece.segments.filter((s) => s.source === 'policy').map((s) => s.text)).toEqual(['<search>q0</search>', 'enough <fold_thought>', '{}', '{}', '{}']);
    expect(root.segments[1].text).toContain('Memory of previous folded thoughts');
    expect(root).toMatchObject({ finishReason: 'stop', meta: { answer: 'done', folds: 1 } });
  });

  it('stops after maxFolds folds', async () => {
    const run = await rollout(agentScript(() => '{}'), create<MemoryManager>(deepAgentMemory, { triggerFraction: 0.5, maxFolds: 0 }), 600, 1);
    expect(all(run)[0].finishReason).toBe('context');
  });

  it('reads JSON inside text and wraps text that is not JSON', () => {
    expect(memoryJson('x {"a": 1} y')).toBe('{"a":1}');
    expect(memoryJson('nope')).toBe('{"unparsed":"nope"}');
  });
});

describe('folding enabled but never triggered', () => {
  const { createTinyModel } = load<{ createTinyModel: (c: Record<string, number>, seed: number) => import('@tirl/policy').CausalLM }>('@tirl/policy');
  const { miniBatchGradients, parseTrainerSettings } = load<typeof import('@tirl/trainer')>('@tirl/trainer');
  const model = createTinyModel({ vocabSize: 263 /* the byte tokenizer: 256 bytes + 7 specials */, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 2);
  afterAll(() => model.dispose());
  const exp = createExperiment(resolveRecipe({ name: 'm', plugins: [['objective/ppo-clip'], ['aggregation/token-mean']] }, undefined, { recipes: [] }));

  const lossAndGrads = async (memory: MemoryManager | undefined) => {
    const ts = all(await rollout(agentScript(), memory, 4096, 2));
    const batch = buildBatch(ts, { padTokenId: 256 });
    const advantages = tf.tidy(() => tf.mul(batch.lossMask, tf.tensor2d(ts.map((_, b) => [b === 0 ? 1 : -1]))) as tf.Tensor2D);
    const out = miniBatchGradients({ exp, model, settings: parseTrainerSettings({}), batch, advantages, needEntropy: false }, ts.map((_, b) => b), {});
    tf.dispose(advantages);
    batch.dispose();
    return { ts, ...out };
  };

  it.each([
    ['memory/fail', failMemory],
    ['memory/sliding-window', slidingWindowMemory],
    ['memory/summarize', summarizeMemory],
    ['memory/deepagent', deepAgentMemory],
  ])('%s gives exactly the loss and gradients of the run without memory', async (_, def) => {
    const plain = await lossAndGrads(undefined);
    const folded = await lossAndGrads(create<MemoryManager>(def, { triggerFraction: 0.9 }));
    // Wall-clock latency is the only field allowed to differ.
    const stable = (ts: Trajectory[]) => ts.map((t) => ({ ...t, toolCalls: t.toolCalls.map(({ latencyMs: _, ...c }) => c) }));
    expect(stable(folded.ts)).toEqual(stable(plain.ts));
    expect(folded.loss).toBe(plain.loss);
    for (const [name, g] of plain.grads) expect(Array.from(folded.grads.get(name)!.dataSync())).toEqual(Array.from(g.dataSync()));
    tf.dispose([...plain.grads.values(), ...folded.grads.values()]);
  });
});
