import * as tf from '@tensorflow/tfjs-core';
import { Rng, type MemoryContext, type MemoryManager, type PolicyGenerator, type RolloutInput, type Segment, type Tokenizer, type Tool, type ToolFormat, type Trajectory } from '@tirl/core';
import { linearRollout } from '../src';
import { call, engineDefaults, limits, makeInput } from './helpers';

const linear = () => linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);
const ids = (segments: readonly Segment[]) => segments.flatMap((s) => s.tokenIds);

describe('alwaysFinal (forced summary turn on every finish)', () => {
  const delegate = (alwaysFinal?: boolean): Tool => ({
    name: 'delegate',
    description: 'ask a worker',
    parameters: { type: 'object', properties: { task: { type: 'string' } }, required: ['task'] },
    call: async (args, ctx) => {
      const r = await ctx.spawn!({ role: 'worker', messages: [{ role: 'user', content: (args as { task: string }).task }], tools: [], maxTurns: 3, finalPrompt: 'Summarise.', alwaysFinal });
      return { ok: r.ok, observation: r.text, childId: r.childId };
    },
  });
  // The worker answers at once; after "Summarise." it writes the summary; the planner answers after the observation.
  const script = ({ text }: { text: string }) =>
    text.includes('Summarise.') ? 'summary' : text.includes('<|user|>sub') ? 'worker done' : text.includes('<tool_response>') ? 'final' : call('delegate', { task: 'sub' });

  it('runs the finalPrompt turn after a worker that stops on its own, keeping finish reason "stop"', async () => {
    const { input } = makeInput(script, { tools: [delegate(true)] });
    const [root, child] = (await linear().rollout(input)).trees[0].trajectories;
    expect(child.finishReason).toBe('stop');
    expect(child.segments.map((s) => [s.source, s.text])).toEqual([
      ['prompt', expect.any(String)],
      ['policy', 'worker done'],
      // the byte tokenizer's chat format: <|user|>content<|eos|>, then the generation prompt <|assistant|>
      ['injected', '<|user|>Summarise.<|eos|><|assistant|>'],
      ['policy', 'summary'],
    ]);
    expect(child.meta?.answer).toBe('summary');
    expect(root.toolCalls[0]).toMatchObject({ ok: true, observation: 'summary', childId: child.id });
  });

  it('without alwaysFinal a worker that stops on its own hands back its last message', async () => {
    const { input } = makeInput(script, { tools: [delegate(undefined)] });
    const [root, child] = (await linear().rollout(input)).trees[0].trajectories;
    expect(child.finishReason).toBe('stop');
    expect(child.segments.some((s) => s.source === 'injected')).toBe(false);
    expect(root.toolCalls[0].observation).toBe('worker done');
  });
});

describe('policy-triggered folding (MemoryManager.foldTag)', () => {
  it('folds below the budget when the turn writes the tag; the tag is a stop string and a trained token of the piece', async () => {
    const triggers: (string | undefined)[] = [];
    const { input, policy } = makeInput(({ text }) => (text.includes('MEMORY') ? 'done' : text.includes('<tool_response>') ? 'long story <fold_thought> never sampled' : call('search', { query: 'q' })), {});
    const tk = policy.tokenizer;
    const memory: MemoryManager = {
      triggerFraction: 1,
      foldTag: '<fold_thought>',
      onOverflow: async ({ trajectory, trigger }) => {
        triggers.push(trigger);
        const prompt = trajectory.segments.filter((s) => s.source === 'prompt');
        return { kind: 'fold', context: [...prompt, { source: 'injected', role: trajectory.role, tokenIds: tk.encode('MEMORY'), text: 'MEMORY' }] };
      },
    };
    const [leaf, piece] = (await linear().rollout({ ...input, memory })).trees[0].trajectories;
    expect(triggers).toEqual(['tag']);
    expect(piece.meta?.foldPiece).toBe(0);
    expect(piece.segments.filter((s) => s.source === 'policy').map((s) => s.text)).toEqual([call('search', { query: 'q' }), 'long story <fold_thought>']);
    expect(leaf.segments.map((s) => s.text)).toEqual([expect.any(String), 'MEMORY', 'done']);
    expect(leaf).toMatchObject({ finishReason: 'stop', meta: { answer: 'done', folds: 1 } });
  });

  it('without a foldTag the same text ends the rollout as an answer and the manager is not called', async () => {
    let called = 0;
    const memory: MemoryManager = { triggerFraction: 1, onOverflow: async () => (called++, { kind: 'stop' }) };
    const { input } = makeInput(() => 'long story <fold_thought> more', { memory });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(called).toBe(0);
    expect(t).toMatchObject({ finishReason: 'stop', meta: { answer: 'long story <fold_thought> more' } });
  });
});

/** Every call is a (possibly unknown) tool call, so a random-weight model keeps taking turns. */
const alwaysCalls: ToolFormat = {
  stopStrings: [],
  parse: (text) => ({ calls: [{ name: 'search', args: { query: 'x' }, raw: text }], errors: [] }),
  renderObservations: (results) => results.map((r) => `<obs>${r.result.observation.slice(0, 12)}</obs>`).join(''),
  describeTools: () => '',
};

describe('fold generations in the trajectory\'s own context (real tiny model)', () => {
  interface PolicyModule {
    ByteTokenizer: new () => Tokenizer;
    createTinyModel: (config: Record<string, number>, seed: number, options: { std: number }) => { logProbs(ids: tf.Tensor2D, mask: tf.Tensor2D): { logProbs: tf.Tensor2D }; dispose(): void };
    Policy: new (model: unknown, tokenizer: Tokenizer, options: { maxContext: number }) => PolicyGenerator;
  }
  const { ByteTokenizer, createTinyModel, Policy } = require('@tirl/policy' as string) as PolicyModule;
  const tokenizer = new ByteTokenizer();
  const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 }, 7, { std: 0.3 });
  afterAll(() => model.dispose());

  /** Log-probs of every token of one row given its prefix, by full recomputation. */
  function recomputed(row: number[]): number[] {
    return tf.tidy(() => model.logProbs(tf.tensor2d([row], undefined, 'int32'), tf.ones([1, row.length]) as tf.Tensor2D).logProbs.arraySync()[0]);
  }

  it('the behaviour log-probs of fold tokens equal the policy\'s log-probs on the exact trained row', async () => {
    const maxContext = 160;
    const policy = new Policy(model, tokenizer, { maxContext });
    const messages = [{ role: 'user', content: 'hi' }];
    const promptLength = tokenizer.encode(tokenizer.renderChat(messages, { addGenerationPrompt: true }), { addSpecialTokens: false }).length;
    let calls = 0;
    const memory: MemoryManager = {
      // Triggers as soon as the row grows past the prompt: after the first turn and its observation.
      triggerFraction: (promptLength + 1) / maxContext,
      async onOverflow({ trajectory, generateInContext }: MemoryContext) {
        if (calls++ > 0) return { kind: 'stop' };
        // Issued together: the engine runs them one after another in the same forked row.
        const [a, b] = await Promise.all([generateInContext!('Memory A.', { maxNewTokens: 6 }), generateInContext!('Memory B.', { maxNewTokens: 6 })]);
        const prompt = trajectory.segments.filter((s) => s.source === 'prompt');
        return { kind: 'fold', context: prompt, foldSegments: [...a.segments, ...b.segments] };
      },
    };
    const input: RolloutInput = {
      samples: [{ sample: { id: 'q', messages }, rollouts: 1 }],
      policy,
      tools: [],
      toolFormat: alwaysCalls,
      memory,
      // A turn cut at maxNewTokens ends the rollout, so every ASCII byte ends a turn (random weights emit them often).
      decode: { maxNewTokens: 40, temperature: 1, stopTokenIds: Array.from({ length: 128 }, (_, i) => i) },
      limits: limits({ maxTurns: 6 }),
      rng: new Rng(11),
      step: 0,
    };
    const trajs: Trajectory[] = (await linear().rollout(input)).trees[0].trajectories;
    const piece = trajs.find((t) => t.meta?.foldPiece === 0)!;
    expect(piece.segments.map((s) => s.source)).toEqual(['prompt', 'policy', 'tool', 'injected', 'policy', 'injected', 'policy']);
    const asUserTurn = (content: string) => tokenizer.renderChat([{ role: 'user', content }], { addGenerationPrompt: true });
    expect(piece.segments[3].text).toBe(asUserTurn('Memory A.'));
    expect(piece.segments[5].text).toBe(asUserTurn('Memory B.'));
    const row = ids(piece.segments);
    const ref = recomputed(row);
    let offset = 0;
    let checked = 0;
    for (const s of piece.segments) {
      if (s.source === 'policy') {
        s.logProbs!.forEach((lp, i) => expect(Math.abs(lp - ref[offset + i])).toBeLessThan(1e-4));
        checked += s.logProbs!.length;
      }
      offset += s.tokenIds.length;
    }
    const foldTokens = piece.segments[4].tokenIds.length + piece.segments[6].tokenIds.length;
    expect(foldTokens).toBeGreaterThan(0);
    expect(checked).toBe(piece.segments[1].tokenIds.length + foldTokens);
  });

});
