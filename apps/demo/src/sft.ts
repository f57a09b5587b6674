import * as tf from '@tensorflow/tfjs-core';
import {
  buildBatch,
  createExperiment,
  Rng,
  Tokens,
  type ResolvedRecipe,
  type Sample,
  type Segment,
  type Tokenizer,
  type Trajectory,
} from '@tirl/core';
import type { CausalLM } from '@tirl/policy';
import { coerceArgs, withToolDescription } from '@tirl/rollout-tree';
import { AdamW } from '@tirl/trainer';
import { demoPlugins } from './plugins/compact-xml-tags';
import type { DemoTask } from './tasks';

/**
 * Correct tool-use traces for `samples`, token by token as the rollout engine records them: the
 * rendered prompt (tool descriptions in the system message), the policy's call, the real tool's
 * rendered observation (masked), then the policy's answer and EOS.
 */
export async function demonstrationTraces(
  recipe: ResolvedRecipe,
  task: DemoTask,
  tokenizer: Tokenizer,
  samples: readonly Sample[],
): Promise<Trajectory[]> {
  const exp = createExperiment(recipe, { plugins: demoPlugins, services: [[Tokens.tokenizer, tokenizer]] });
  try {
    const format = exp.get('toolFormat');
    const tools = exp.getAll('tool');
    const out: Trajectory[] = [];
    for (const sample of samples) {
      const demo = task.demonstration(sample);
      const tool = tools.find((t) => t.name === demo.tool);
      if (!tool) throw new Error(`demo: task "${task.name}" demonstrates tool "${demo.tool}", which the recipe does not provide`);
      const prompt = tokenizer.renderChat(withToolDescription(sample.messages, tools, format), { addGenerationPrompt: true });
      const call = `<${demo.tool}>${demo.query}</${demo.tool}>`;
      const result = await tool.call(coerceArgs(tool, demo.query), { trajectoryId: sample.id, rootId: sample.id, turn: 0, timeoutMs: 10000, sample });
      const observation = format.renderObservations([{ name: tool.name, result }]);
      const answer = `<answer>${demo.answer}</answer>`;
      const enc = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
      const policy = (text: string, turn: number, extra: number[] = []): Segment => {
        const ids = [...enc(text), ...extra];
        return { source: 'policy', role: 'agent', tokenIds: ids, logProbs: ids.map(() => 0), text, turn };
      };
      out.push({
        id: `sft-${sample.id}`,
        sampleId: sample.id,
        groupId: sample.id,
        rootId: `sft-${sample.id}`,
        role: 'agent',
        segments: [
          { source: 'prompt', role: 'agent', tokenIds: enc(prompt), text: prompt },
          policy(call, 0),
          { source: 'tool', role: 'agent', tokenIds: enc(observation), text: observation, turn: 0 },
          policy(answer, 1, [tokenizer.eosTokenId]),
        ],
        toolCalls: [],
      });
      await tool.release?.(sample.id);
    }
    return out;
  } finally {
    await exp.dispose();
  }
}

export interface SftOptions {
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  onStep?: (step: number, loss: number) => void;
}

/** Supervised warm start: minimises −mean log-prob of the policy tokens of the traces (AdamW). */
export function supervisedFineTune(model: CausalLM, traces: readonly Trajectory[], tokenizer: Tokenizer, o: SftOptions): number[] {
  const weights = model.namedWeights();
  const byTfName = new Map([...weights].map(([name, v]) => [v.name, name]));
  const optimizer = new AdamW({ betas: [0.9, 0.98], eps: 1e-8, weightDecay: 0 });
  const rng = new Rng(o.seed).fork('sft');
  const losses: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      const picked = Array.from({ length: o.batchSize }, () => traces[rng.int(traces.length)]);
      const batch = buildBatch(picked, { padTokenId: tokenizer.padTokenId ?? 0 });
      try {
        const { value, grads } = tf.variableGrads(() => {
          const { logProbs } = model.logProbs(batch.ids, batch.attentionMask);
          return tf.neg(tf.div(tf.sum(tf.mul(logProbs, batch.lossMask)), tf.maximum(tf.sum(batch.lossMask), 1))) as tf.Scalar;
        }, [...weights.values()]);
        const named = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k) ?? k, g]));
        const lr = o.lr * Math.min(1, (step + 1) / 10);
        optimizer.apply(weights, named, lr);
        losses.push(value.dataSync()[0]);
        o.onStep?.(step + 1, losses.at(-1)!);
        value.dispose();
        for (const g of named.values()) g.dispose();
      } finally {
        batch.dispose();
      }
    }
    return losses;
  } finally {
    optimizer.dispose();
  }
}
