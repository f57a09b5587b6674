import { definePlugin, policyText } from '@tirl/core';
import { z } from 'zod';
import { scoreRoots } from '../util/score-each';
import { asCall, parseFirstToolCallBlock, type TextToolCall } from './parse-calls';

/** Ground truth of a ToolRL sample: the expected calls and/or a final response. */
interface ToolRlGold {
  calls: TextToolCall[];
  hasResponse: boolean;
}

function goldOf(answer: unknown): ToolRlGold {
  if (Array.isArray(answer)) return { calls: answer.map(asCall).filter((c): c is TextToolCall => !!c), hasResponse: false };
  const o = (answer ?? {}) as Record<string, unknown>;
  const raw = Array.isArray(o.toolCalls) ? o.toolCalls : [];
  const calls = raw.map(asCall);
  if (calls.some((c) => !c)) throw new Error('reward/toolrl: sample.answer.toolCalls must be {name, parameters} objects');
  return { calls: calls as TextToolCall[], hasResponse: typeof o.response === 'string' };
}

/** ToolRL format: the whole output matches the shape the ground truth implies (think, tool_call, response). */
export function toolRlFormatOk(text: string, gold: ToolRlGold): boolean {
  const count = (tag: string) => text.split(`<${tag}>`).length - 1;
  const think = '<think>[\\s\\S]*?</think>';
  const call = '\\n<tool_call>\\n[\\s\\S]*?\\n</tool_call>';
  const response = '\\n<response>[\\s\\S]*?</response>';
  const hasCalls = gold.calls.length > 0;
  const pattern = `^${think}${hasCalls ? call : ''}${gold.hasResponse ? response : ''}$`;
  if (!new RegExp(pattern).test(text)) return false;
  return count('think') === 1 && count('tool_call') === (hasCalls ? 1 : 0) && count('response') === (gold.hasResponse ? 1 : 0);
}

/** |A ∩ B| / (|A| + |B| − |A ∩ B|) over multisets; two empty sets: 1. */
export function multisetJaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const left = new Map<string, number>();
  for (const x of a) left.set(x, (left.get(x) ?? 0) + 1);
  let common = 0;
  for (const x of b) {
    const c = left.get(x) ?? 0;
    if (c > 0) {
      common++;
      left.set(x, c - 1);
    }
  }
  return common / (a.length + b.length - common);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** ToolRL correctness in [min, max]: name Jaccard plus greedy per-call key Jaccard and exact value matches. */
export function toolRlCorrectness(pred: TextToolCall[], gold: TextToolCall[], max: number, min: number): number {
  if (pred.length === gold.length && pred.every((p, i) => p.name === gold[i].name && deepEqual(p.params, gold[i].params))) return max;
  const rName = multisetJaccard(gold.map((g) => g.name), pred.map((p) => p.name));
  const used = new Set<number>();
  let matched = 0;
  for (const g of gold) {
    let best = -1;
    let bestScore = 0;
    pred.forEach((p, j) => {
      if (used.has(j) || p.name !== g.name) return;
      const keys = multisetJaccard(Object.keys(g.params), Object.keys(p.params));
      const values = Object.keys(g.params).filter((k) => k in p.params && deepEqual(g.params[k], p.params[k])).length;
      if (best < 0 || keys + values > bestScore) {
        best = j;
        bestScore = keys + values;
      }
    });
    if (best >= 0) {
      used.add(best);
      matched += bestScore;
    }
  }
  const sMax = 1 + gold.reduce((s, g) => s + 1 + Object.keys(g.params).length, 0);
  return ((max - min) * (rName + matched)) / sMax + min;
}

/** ToolRL: R = R_format ∈ {0, formatScore} + R_correct ∈ [correctMin, correctMax]. */
export const toolRl = definePlugin({
  kind: 'reward',
  name: 'toolrl',
  summary: 'ToolRL: whole-output format check plus fine-grained tool name / parameter name / value matching against the gold calls',
  paper: { title: 'ToolRL: Reward is All Tool Learning Needs', arxiv: '2504.13958', section: '3.2 (rlla.py)' },
  options: z
    .object({
      formatScore: z.number().default(1),
      correctMax: z.number().default(3),
      correctMin: z.number().default(-3),
    })
    .strict()
    .refine((o) => o.correctMax > o.correctMin, { message: 'correctMax must be greater than correctMin', path: ['correctMax'] }),
  create(options) {
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          if (!sample) throw new Error('reward/toolrl: the trajectory\'s sample is not in the input\'s samples map');
          const gold = goldOf(sample.answer);
          const text = policyText(t);
          const format = toolRlFormatOk(text, gold) ? options.formatScore : 0;
          let correctness = 0;
          if (gold.calls.length > 0) {
            const pred = parseFirstToolCallBlock(text);
            correctness = pred ? toolRlCorrectness(pred, gold.calls, options.correctMax, options.correctMin) : options.correctMin;
          }
          return { score: format + correctness, components: { format, correctness } };
        }),
    };
  },
});
