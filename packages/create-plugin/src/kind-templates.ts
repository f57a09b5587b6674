/**
 * A working starting point per kind: the smallest correct plugin of that kind (it passes its kind's kit
 * from `@tirl/core/testing`), its options, and the kit call of its test. The author replaces the body
 * with the paper's method and the test values with hand-derived numbers.
 */
export interface KindTemplate {
  /** Imports the definition needs besides `definePlugin` and `z`. */
  imports?: string;
  /** Zod fields of the options object. */
  options: string;
  /** The `create` function. */
  create: string;
  /** The kit function of the kind. */
  kit: string;
  /** Options the test accepts and rejects (field must be named in the error). */
  valid: string;
  invalid: string;
  /** Extra kit options (cases, calls), as source. */
  kitExtra?: string;
  /** `key default` for the README row. */
  readmeOptions: string;
}

const tf = "import * as tf from '@tensorflow/tfjs-core';";

export const KIND_TEMPLATES: Record<string, KindTemplate> = {
  advantage: {
    imports: tf,
    options: '/** Multiplies every advantage. */\n      scale: z.number().positive().default(1),',
    create: `(options) => ({
    // REINFORCE without a baseline: each trajectory's score on each of its trained tokens. [B, T]
    compute: ({ batch, scores }) => ({
      advantages: tf.tidy(() => tf.mul(batch.lossMask, tf.mul(tf.tensor2d(Array.from(scores), [scores.length, 1]), options.scale)) as tf.Tensor2D),
    }),
  })`,
    kit: 'runAdvantageKit',
    valid: '{ scale: 2 }',
    invalid: "[{ options: { scale: -1 }, field: 'scale' }]",
    readmeOptions: '`scale` 1',
  },
  advantageTransform: {
    imports: tf,
    options: '/** Multiplies every advantage. */\n      scale: z.number().positive().default(1),',
    create: `(options) => ({
    transform: ({ batch, advantages }) => ({
      advantages: tf.tidy(() => tf.mul(tf.mul(advantages, batch.lossMask), options.scale) as tf.Tensor2D),
    }),
  })`,
    kit: 'runAdvantageTransformKit',
    valid: '{ scale: 2 }',
    invalid: "[{ options: { scale: -1 }, field: 'scale' }]",
    readmeOptions: '`scale` 1',
  },
  objective: {
    imports: tf,
    options: '/** Multiplies the loss. */\n      scale: z.number().positive().default(1),',
    create: `(options) => ({
    // Vanilla policy gradient: L = −A·log π per trained token (0 elsewhere). [B, T]
    perToken: ({ logProbs, advantages, lossMask }) => ({
      perToken: tf.tidy(() => tf.mul(tf.neg(tf.mul(tf.mul(advantages, logProbs), lossMask)), options.scale) as tf.Tensor2D),
    }),
  })`,
    kit: 'runObjectiveKit',
    valid: '{ scale: 2 }',
    invalid: "[{ options: { scale: -1 }, field: 'scale' }]",
    readmeOptions: '`scale` 1',
  },
  aggregation: {
    imports: tf,
    options: '/** Multiplies the loss. */\n      scale: z.number().positive().default(1),',
    create: `(options) => ({
    // Token mean over the whole mini-batch (global counts), so micro-batches sum to the same loss.
    aggregate: ({ perToken, lossMask, counts }) =>
      tf.tidy(() => tf.div(tf.sum(tf.mul(perToken, lossMask)), Math.max(counts.tokens, 1) / options.scale) as tf.Scalar),
  })`,
    kit: 'runAggregationKit',
    valid: '{ scale: 2 }',
    invalid: "[{ options: { scale: -1 }, field: 'scale' }]",
    readmeOptions: '`scale` 1',
  },
  regularizer: {
    imports: tf,
    options: '/** Coefficient of the penalty. */\n      coef: z.number().nonnegative().default(0.01),',
    create: `(options) => ({
    // coef·½(log π − log π_old)² per trained token. [B, T]
    perToken: ({ logProbs, oldLogProbs, lossMask }) => ({
      perToken: tf.tidy(() => tf.mul(tf.mul(tf.square(tf.mul(tf.sub(logProbs, oldLogProbs), lossMask)), 0.5), options.coef) as tf.Tensor2D),
    }),
  })`,
    kit: 'runRegularizerKit',
    valid: '{ coef: 0.1 }',
    invalid: "[{ options: { coef: -1 }, field: 'coef' }]",
    readmeOptions: '`coef` 0.01',
  },
  reward: {
    options: '/** Score of a rollout that finished on its own. */\n      score: z.number().default(1),',
    create: `(options) => ({
    score: ({ trajectories }) => ({ scores: trajectories.map((t) => (t.finishReason === 'stop' ? options.score : 0)) }),
  })`,
    kit: 'runRewardKit',
    valid: '{ score: 0.5 }',
    invalid: "[{ options: { score: 'high' }, field: 'score' }]",
    readmeOptions: '`score` 1',
  },
  sampler: {
    imports: "import type { Sample } from '@tirl/core';",
    options: '/** Rollouts asked for each prompt. */\n      rollouts: z.number().int().positive().default(4),',
    create: `(options) => {
    let dataset: readonly Sample[] = [];
    let cursor = 0;
    return {
      setDataset: (samples) => {
        dataset = samples;
      },
      // The dataset in order, wrapping around.
      next: (n) => Array.from({ length: n }, () => ({ sample: dataset[cursor++ % dataset.length], rollouts: options.rollouts })),
      state: () => ({ cursor }),
      loadState: (state) => {
        cursor = (state as { cursor: number }).cursor;
      },
    };
  }`,
    kit: 'runSamplerKit',
    valid: '{ rollouts: 2 }',
    invalid: "[{ options: { rollouts: 0 }, field: 'rollouts' }]",
    readmeOptions: '`rollouts` 4',
  },
  filter: {
    options: '/** Groups with fewer trajectories are dropped. */\n      minSize: z.number().int().positive().default(2),',
    create: `(options, ctx) => ({
    filter: ({ groups }) => {
      const kept = groups.filter((g) => g.trajectories.length >= options.minSize);
      return { groups: kept, metrics: { [\`\${ctx.id}/dropped\`]: groups.length - kept.length } };
    },
  })`,
    kit: 'runFilterKit',
    valid: '{ minSize: 3 }',
    invalid: "[{ options: { minSize: 0 }, field: 'minSize' }]",
    readmeOptions: '`minSize` 2',
  },
  rollout: {
    imports: "import type { RolloutTree, Trajectory } from '@tirl/core';",
    options: '/** Trajectories generated together. */\n      batchRows: z.number().int().positive().default(8),',
    create: `(options) => ({
    // One turn per rollout, no tools: prompt → one generation. Token-in/token-out: the ids are kept as sampled.
    async rollout({ samples, policy, decode, rng, step }) {
      const session = policy.startSession();
      const trees: RolloutTree[] = [];
      try {
        for (const { sample, rollouts } of samples) {
          const prompt = policy.tokenizer.encode(policy.tokenizer.renderChat(sample.messages, { addGenerationPrompt: true }));
          const trajectories: Trajectory[] = [];
          for (let start = 0; start < rollouts; start += options.batchRows) {
            const rows = Array.from({ length: Math.min(options.batchRows, rollouts - start) }, () => session.add(prompt));
            const results = await session.generate(rows, decode, rng);
            results.forEach((r, i) => {
              const id = \`\${sample.id}:\${step}:\${start + i}\`;
              trajectories.push({
                id, sampleId: sample.id, groupId: sample.id, rootId: id, role: 'agent', toolCalls: [], treePath: [\`\${sample.id}:root\`],
                finishReason: r.finishReason === 'length' ? 'length' : 'stop',
                segments: [
                  { source: 'prompt', role: 'agent', tokenIds: prompt },
                  { source: 'policy', role: 'agent', tokenIds: r.tokenIds, logProbs: r.logProbs, text: policy.tokenizer.decode(r.tokenIds, { skipSpecialTokens: true }), turn: 0 },
                ],
              });
            });
            rows.forEach((row) => session.release(row));
          }
          trees.push({ id: \`\${sample.id}:\${step}\`, sampleId: sample.id, nodes: [{ id: \`\${sample.id}:root\`, tokenOffset: prompt.length, turn: 0, reason: 'root' }], trajectories });
        }
      } finally {
        session.dispose();
      }
      return { trees };
    },
  })`,
    kit: 'runRolloutKit',
    valid: '{ batchRows: 1 }',
    invalid: "[{ options: { batchRows: 0 }, field: 'batchRows' }]",
    kitExtra: "  // One turn, no tools: the kit's script answers at once.\n  script: () => 'The answer is 4.',",
    readmeOptions: '`batchRows` 8',
  },
  toolFormat: {
    imports: "import type { ParseResult } from '@tirl/core';",
    options: "/** Tag around a JSON call: <call>{\"name\": ..., \"arguments\": {...}}</call>. */\n      tag: z.string().regex(/^[a-z_]+$/, 'must be a tag name like \"call\"').default('call'),",
    create: `(options) => {
    const open = \`<\${options.tag}>\`;
    const close = \`</\${options.tag}>\`;
    return {
      stopStrings: [close],
      parse(text) {
        const out: ParseResult = { calls: [], errors: [] };
        for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, at + open.length)) {
          const end = text.indexOf(close, at);
          const raw = end === -1 ? text.slice(at) : text.slice(at, end + close.length);
          try {
            if (end === -1) throw new Error(\`unclosed \${open}\`);
            const body = JSON.parse(text.slice(at + open.length, end)) as { name?: unknown; arguments?: unknown };
            if (typeof body?.name !== 'string') throw new Error('a call needs a "name"');
            out.calls.push({ name: body.name, args: body.arguments ?? {}, raw });
          } catch (e) {
            out.errors.push({ raw, message: e instanceof Error ? e.message : String(e) });
          }
        }
        if (!out.calls.length && !out.errors.length) out.answer = text.trim();
        return out;
      },
      renderObservations: (results) => results.map((r) => \`\\n<result>\${r.result.observation}</result>\\n\`).join(''),
      describeTools: (tools) => tools.map((t) => \`- \${t.name}: \${t.description} \${JSON.stringify(t.parameters)}\`).join('\\n'),
    };
  }`,
    kit: 'runToolFormatKit',
    valid: "{ tag: 'call' }",
    invalid: "[{ options: { tag: 'Bad Tag' }, field: 'tag' }]",
    kitExtra: `  cases: [
    { text: '<call>{"name": "search", "arguments": {"q": "x"}}</call>', calls: [{ name: 'search', args: { q: 'x' } }] },
    { text: 'Paris.', answer: 'Paris.' },
    { text: '<call>not json</call>', errors: 1 },
  ],`,
    readmeOptions: '`tag` call',
  },
  tool: {
    imports: "import { parseToolArgs, toolArgumentsSchema } from '@tirl/core';",
    options: '/** Longest text echoed back, in characters. */\n      maxChars: z.number().int().positive().default(200),',
    create: `(options, ctx) => {
    const args = z.object({ text: z.string().min(1) }).strict();
    const name = ctx.id.split('/')[1].replace(/-/g, '_');
    return {
      name,
      description: 'Repeats its text (replace with what the tool does)',
      parameters: toolArgumentsSchema(args),
      // A bad call is an error observation for the model, never a throw.
      async call(raw) {
        const parsed = parseToolArgs(name, args, raw);
        if (!parsed.ok) return parsed.result;
        return { ok: true, observation: parsed.value.text.slice(0, options.maxChars) };
      },
    };
  }`,
    kit: 'runToolKit',
    valid: '{ maxChars: 50 }',
    invalid: "[{ options: { maxChars: 0 }, field: 'maxChars' }]",
    kitExtra: "  calls: [\n    { args: { text: 'hello' }, ok: true, observation: /hello/ },\n    { args: { text: '' }, ok: false },\n  ],",
    readmeOptions: '`maxChars` 200',
  },
  memory: {
    options: '/** Share of the context budget at which the manager is called. */\n      triggerFraction: z.number().gt(0).max(1).default(0.9),',
    create: `(options) => ({
    triggerFraction: options.triggerFraction,
    // Ends the rollout at the budget (finish reason "context"); a folding manager returns { kind: 'fold', context }.
    onOverflow: async () => ({ kind: 'stop' as const }),
  })`,
    kit: 'runMemoryKit',
    valid: '{ triggerFraction: 0.8 }',
    invalid: "[{ options: { triggerFraction: 0 }, field: 'triggerFraction' }]",
    readmeOptions: '`triggerFraction` 0.9',
  },
  router: {
    options: "/** System prompt of the single role. */\n      systemPrompt: z.string().default('You are a helpful agent.'),",
    create: `(options) => {
    const roles = [{ name: 'agent', systemPrompt: options.systemPrompt, tools: [] as string[] }];
    return {
      rootRole: 'agent',
      roles: () => roles,
      rootMessages: (sample) => [{ role: 'system', content: options.systemPrompt }, ...sample.messages.filter((m) => m.role !== 'system')],
      agentTools: () => [],
    };
  }`,
    kit: 'runRouterKit',
    valid: "{ systemPrompt: 'Answer briefly.' }",
    invalid: "[{ options: { systemPrompt: 3 }, field: 'systemPrompt' }]",
    readmeOptions: '`systemPrompt`',
  },
  metricSink: {
    options: '/** Keeps the metrics of the last `keep` steps in memory. */\n      keep: z.number().int().positive().default(100),',
    create: `(options) => {
    const steps: Record<string, number>[] = [];
    return {
      write: (step, metrics) => {
        steps.push({ ...metrics, step });
        if (steps.length > options.keep) steps.shift();
      },
    };
  }`,
    kit: 'runMetricSinkKit',
    valid: '{ keep: 10 }',
    invalid: "[{ options: { keep: 0 }, field: 'keep' }]",
    readmeOptions: '`keep` 100',
  },
  preference: {
    imports: tf,
    options: '/** β, the strength of the preference margin. */\n      beta: z.number().positive().default(0.1),',
    create: `(options) => ({
    // Reference-free DPO: L = softplus(−β·(Σ_t m·ℓ_chosen − Σ_t m·ℓ_rejected)) per pair. [P]
    perPair: ({ chosen, rejected }) => ({
      perPair: tf.tidy(() => {
        const sum = (logProbs: tf.Tensor2D, lossMask: tf.Tensor2D) => tf.sum(tf.mul(logProbs, lossMask), 1);
        return tf.softplus(tf.mul(-options.beta, tf.sub(sum(chosen.logProbs, chosen.lossMask), sum(rejected.logProbs, rejected.lossMask)))) as tf.Tensor1D;
      }),
    }),
  })`,
    kit: 'runPreferenceKit',
    valid: '{ beta: 0.5 }',
    invalid: "[{ options: { beta: 0 }, field: 'beta' }]",
    readmeOptions: '`beta` 0.1',
  },
  pairs: {
    imports: "import { tokenizePreference } from '@tirl/core';",
    options: '/** Append EOS to each response (it is trained as part of the response). */\n      appendEos: z.boolean().default(true),',
    create: `(options, ctx) => ({
    // Offline: each sample's "preference" {chosen, rejected}, tokenised (prompt = the chat-rendered messages). A miner
    // sets fromRollouts: true and turns this step's scored trees into pairs instead.
    fromRollouts: false,
    pairs: ({ samples, tokenizer }) => {
      const pairs = samples.map((sample) => tokenizePreference(sample, tokenizer, { appendEos: options.appendEos }));
      return { pairs, metrics: { [\`\${ctx.id}/pairs\`]: pairs.length } };
    },
  })`,
    kit: 'runPairsKit',
    valid: '{ appendEos: false }',
    invalid: "[{ options: { appendEos: 'yes' }, field: 'appendEos' }]",
    readmeOptions: '`appendEos` true',
  },
  referenceSchedule: {
    options: '/** Steps between two updates of the reference. */\n      every: z.number().int().positive().default(1),',
    create: `(options, ctx) => ({
    // Iterative DPO: after every \`every\` optimizer steps the reference becomes the policy (weights assigned in place).
    afterStep: ({ step, policy, reference }) => {
      if (step % options.every !== 0) return;
      for (const [name, weight] of reference) {
        const current = policy.get(name);
        if (!current) throw new Error(\`\${ctx.id}: the policy has no weight "\${name}"; the policy and reference must have the same weights\`);
        weight.assign(current);
      }
      return { [\`\${ctx.id}/updated_at\`]: step };
    },
  })`,
    kit: 'runReferenceScheduleKit',
    valid: '{ every: 2 }',
    invalid: "[{ options: { every: 0 }, field: 'every' }]",
    readmeOptions: '`every` 1',
  },
};
