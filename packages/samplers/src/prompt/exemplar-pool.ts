import { policyText, type Sample, type Trajectory } from '@tirl/core';
import { bm25Scores, topK } from '../util/bm25';

/** One verified input-output pair of the policy's own: the sample's question and a rewarded answer to it. */
export interface Exemplar {
  sampleId: string;
  question: string;
  answer: string;
}

/** The question of a sample: its last user message. */
export function questionOf(sample: Sample): string {
  return sample.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
}

/**
 * The policy's own successful rollouts, one per sample (the latest success replaces the previous one), at
 * most `capacity` (the oldest sample is evicted first). Serialisable with `state()`.
 */
export class ExemplarPool {
  private items = new Map<string, Exemplar>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.size;
  }

  /** Adds the first rollout with reward ≥ `threshold` of a sample's group; returns whether one was added. */
  offer(sample: Sample | undefined, rewards: readonly number[], trajectories: readonly Trajectory[] | undefined, threshold: number): boolean {
    if (!sample || !trajectories) return false;
    const i = rewards.findIndex((r, k) => r >= threshold && trajectories[k] !== undefined);
    if (i < 0) return false;
    const answer = policyText(trajectories[i]).trim();
    if (!answer) return false;
    this.items.delete(sample.id);
    this.items.set(sample.id, { sampleId: sample.id, question: questionOf(sample), answer });
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value!);
    return true;
  }

  /** Every exemplar except those of `excludeId` (an exemplar of the item itself would leak its answer). */
  list(excludeId?: string): Exemplar[] {
    return [...this.items.values()].filter((e) => e.sampleId !== excludeId);
  }

  /** The `k` exemplars most similar to `query` by BM25 over their questions, excluding `excludeId`. */
  nearest(query: string, k: number, excludeId?: string): Exemplar[] {
    const pool = this.list(excludeId);
    return topK(bm25Scores(query, pool.map((e) => e.question)), k).map((i) => pool[i]);
  }

  state(): Exemplar[] {
    return [...this.items.values()].map((e) => ({ ...e }));
  }

  loadState(items: readonly Exemplar[] | undefined): void {
    this.items = new Map((items ?? []).map((e) => [e.sampleId, { ...e }]));
  }
}

/**
 * The sample with exemplars as earlier chat turns (user question, assistant answer) before its own messages,
 * after a leading system message; they are prompt tokens, never trained. `meta.exemplars` lists their ids.
 */
export function withExemplars(sample: Sample, exemplars: readonly Exemplar[]): Sample {
  if (exemplars.length === 0) return sample;
  const turns = exemplars.flatMap((e) => [
    { role: 'user', content: e.question },
    { role: 'assistant', content: e.answer },
  ]);
  const [first, ...rest] = sample.messages;
  const messages = first?.role === 'system' ? [first, ...turns, ...rest] : [...turns, ...sample.messages];
  return { ...sample, messages, meta: { ...(sample.meta ?? {}), exemplars: exemplars.map((e) => e.sampleId) } };
}
