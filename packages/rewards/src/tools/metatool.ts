import { definePlugin, policyText, type Sample, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { predictedAnswer } from '../outcome/check';
import { requireGold } from '../util/gold';
import { scoreRoots } from '../util/score-each';

const ORIGIN = 'reward/metatool';

/** Tool names of a comma-, semicolon- or newline-separated list; the `noneLabel` (any case) means no tool. */
export function toolNameSet(text: string, noneLabel: string): Set<string> {
  const names = text
    .split(/[,;\n]/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s && s !== noneLabel.toLowerCase());
  return new Set(names);
}

/** |A ∩ B| / |A ∪ B|, 1 when both are empty (the right answer to a "None" item). */
export function setJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

function goldSet(sample: Sample | undefined, noneLabel: string): Set<string> {
  return new Set(requireGold(sample, ORIGIN).flatMap((g) => [...toolNameSet(g, noneLabel)]));
}

function predictedSet(t: Trajectory, source: 'calls' | 'answer', noneLabel: string): Set<string> {
  if (source === 'calls') return new Set(t.toolCalls.filter((c) => c.error !== 'parse' && c.name).map((c) => c.name.toLowerCase()));
  return toolNameSet(predictedAnswer(policyText(t)), noneLabel);
}

/** The first yes/no word of the answer (awareness task), or undefined. */
function yesNo(text: string): 'yes' | 'no' | undefined {
  const m = /\b(yes|no)\b/i.exec(text);
  return m ? (m[1].toLowerCase() as 'yes' | 'no') : undefined;
}

/**
 * MetaTool tool-usage awareness and tool selection as a reward. The benchmark defines tasks and metrics,
 * not a reward: awareness scores 1[predicted yes/no = gold], selection 1[predicted tool set = gold set]
 * (gold "None" = no tool, the reliability task), with optional Jaccard partial credit for the multi-tool task.
 */
export const metatool = definePlugin({
  kind: 'reward',
  name: 'metatool',
  summary: 'MetaTool tool choice: awareness 1[use a tool ⇔ gold yes]; selection 1[chosen tool set = gold set, "None" = no tool] (optional Jaccard credit)',
  paper: {
    title: 'MetaTool Benchmark for Large Language Models: Deciding Whether to Use Tools and Which to Use',
    arxiv: '2310.03128',
    section: '3 (awareness: yes/no; selection: similar, scenario, reliability with "None", multi-tool with two tools at most); 4 (accuracy, CSR)',
  },
  options: z
    .object({
      /** `awareness`: whether to use a tool (gold "yes"/"no"); `selection`: which tools (gold names, or "None"). */
      task: z.enum(['awareness', 'selection']).default('selection'),
      /** Where the choice is read: the tools the rollout called, or the final answer's list of names. */
      source: z.enum(['calls', 'answer']).default('calls'),
      /** `exact`: CSR (set equality); `jaccard`: partial credit for multi-tool items (not in the paper). */
      match: z.enum(['exact', 'jaccard']).default('exact'),
      /** The label of "no tool" in gold answers and model answers. */
      noneLabel: z.string().min(1).default('None'),
    })
    .strict(),
  create(o) {
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          if (o.task === 'awareness') {
            const gold = yesNo(requireGold(sample, ORIGIN).join(' '));
            if (!gold) throw new Error(`${ORIGIN}: awareness sample "${sample?.id}" needs the answer "yes" or "no"`);
            const pred = o.source === 'calls' ? (predictedSet(t, 'calls', o.noneLabel).size > 0 ? 'yes' : 'no') : yesNo(predictedAnswer(policyText(t)));
            return pred === gold ? 1 : 0;
          }
          const gold = goldSet(sample, o.noneLabel);
          const pred = predictedSet(t, o.source, o.noneLabel);
          const j = setJaccard(pred, gold);
          return o.match === 'exact' ? (j === 1 ? 1 : 0) : j;
        }),
    };
  },
});
