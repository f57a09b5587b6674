import { completionText, definePlugin } from '@tirl/core';
import { z } from 'zod';
import { mathEquivalent } from '../math/equivalence';
import { lastBoxed } from '../text/extract';
import { tokenF1 } from '../text/normalize';
import { requireGold } from '../util/gold';
import { scoreRoots } from '../util/score-each';

/**
 * Tool-Star `validate_format`: `<think>` paired and present, exactly one `<answer>` block holding a
 * `\boxed{}`, and every `</search>` / `</python>` immediately followed (next tag) by a `<result>` block.
 */
export function toolStarFormat(text: string): { ok: boolean; boxed?: string } {
  const count = (s: string) => text.split(s).length - 1;
  if (count('<think>') < 1 || count('<think>') !== count('</think>')) return { ok: false };
  if (count('<answer>') !== 1 || count('</answer>') !== 1) return { ok: false };
  const tags = [...text.matchAll(/<\/?(search|python|result)>/g)].map((m) => m[0]);
  for (let i = 0; i < tags.length; i++) {
    if ((tags[i] === '</search>' || tags[i] === '</python>') && tags[i + 1] !== '<result>') return { ok: false };
  }
  const answer = /<answer>([\s\S]*?)<\/answer>/.exec(text)?.[1];
  const boxed = answer === undefined ? undefined : lastBoxed(answer);
  return boxed === undefined ? { ok: false } : { ok: true, boxed };
}

/** Tool-Star hierarchical reward: format gate, then answer quality, then a multi-tool bonus. */
export const toolStar = definePlugin({
  kind: 'reward',
  name: 'tool-star',
  summary: 'Tool-Star hierarchical reward: −1 bad format, token F1 (+0.1 when both search and python were used) for QA; 0 / 0.1 / 1 for math',
  paper: { title: 'Tool-Star: Empowering LLM-Brained Multi-Tool Reasoner via RL', arxiv: '2505.16410', section: '3.3 (re_search.py, re_search_math.py)' },
  options: z
    .object({
      /** `auto`: math when `sample.meta.task === "math"`, else QA. */
      task: z.enum(['qa', 'math', 'auto']).default('auto'),
      /** Multi-tool bonus r_M for QA answers with F1 > 0 that used both tools. */
      bonus: z.number().min(0).default(0.1),
      /** Closing tags that must all appear for the bonus. */
      bonusTags: z.array(z.string().min(1)).min(1).default(['</search>', '</python>']),
      /** Math: score of a well-formed wrong answer. */
      mathWrong: z.number().default(0.1),
    })
    .strict(),
  create(options) {
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          const gold = requireGold(sample, 'reward/tool-star');
          const text = completionText(t);
          const format = toolStarFormat(text);
          const isMath = options.task === 'math' || (options.task === 'auto' && sample?.meta?.task === 'math');
          if (isMath) {
            if (!format.ok || t.finishReason === 'length') return 0;
            return gold.some((g) => mathEquivalent(format.boxed!, g)) ? 1 : options.mathWrong;
          }
          if (!format.ok) return -1;
          const f1 = gold.reduce((best, g) => Math.max(best, tokenF1(format.boxed!, g)), 0);
          if (f1 <= 0) return 0;
          return options.bonusTags.every((tag) => text.includes(tag)) ? f1 + options.bonus : f1;
        }),
    };
  },
});
