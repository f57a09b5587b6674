import { definePlugin, policyText, Tokens, type PluginContext, type Sample, type Trajectory } from '@tirl/core';
import type { InjectionToken } from 'tsyringe';
import { z } from 'zod';
import { outcomeCheckSchema, outcomeScore } from '../outcome/check';
import { assemble, safely } from '../util/score-each';
import { endpointAsker, genrmShape, genrmVerdict, policyAsker } from './genrm-checker';

/** Decides whether a correct rollout reached its answer through flawed reasoning (FAPO's GenRM role). */
export interface FlawChecker {
  isFlawed(t: Trajectory, sample: Sample | undefined): boolean | Promise<boolean>;
}

/** Register a {@link FlawChecker} under this token to use `checker: "injected"`. */
export const FLAW_CHECKER: InjectionToken<FlawChecker> = Symbol.for('tirl:rewards:flaw-checker');

/**
 * Built-in heuristic checker: a correct answer preceded by fewer than `minChars` non-space characters of
 * reasoning is treated as a guess. A stand-in for a generative reward model, not the paper's GenRM.
 */
export function shortReasoningChecker(minChars: number): FlawChecker {
  return {
    isFlawed(t) {
      const text = policyText(t);
      const cut = [text.lastIndexOf('<answer>'), text.lastIndexOf('\\boxed')].filter((i) => i >= 0);
      const reasoning = cut.length ? text.slice(0, Math.min(...cut)) : text;
      return reasoning.replace(/<[^>]+>|\s/g, '').length < minChars;
    },
  };
}

const flawedPositiveOptions = z
  .object({
    check: outcomeCheckSchema.default('math'),
    /** λ: 1 with ±1 outcome rewards (a flawed positive lands at 0); use 0.5 with 0/1 rewards. */
    penalty: z.number().nonnegative().default(1),
    /**
     * `endpoint` / `policy`: FAPO's generative reward model (index of the earliest wrong paragraph, −1 none) behind
     * an OpenAI-compatible endpoint or as a tirl policy; `injected`: the FlawChecker registered under
     * FLAW_CHECKER; `short-reasoning`: the built-in heuristic.
     */
    checker: z.enum(['short-reasoning', 'injected', 'endpoint', 'policy']).default('short-reasoning'),
    minReasoningChars: z.number().int().nonnegative().default(40),
    /** The generative checker: endpoint, prompt and decode settings (for `endpoint` and `policy`). */
    genrm: genrmShape,
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.checker !== 'endpoint') return;
    for (const key of ['baseUrl', 'model'] as const) {
      if (!o.genrm[key]) ctx.addIssue({ code: 'custom', path: ['genrm', key], message: `checker "endpoint" needs genrm.${key}` });
    }
  });

type FlawedPositiveOptions = z.output<typeof flawedPositiveOptions>;

/**
 * FAPO: −λ for a correct rollout the checker finds flawed, else 0 (add to a ±1 outcome reward). The checker is
 * the paper's generative reward model (`endpoint`: an OpenAI-compatible server; `policy`: a tirl policy the
 * host registered under `Tokens.policy`), a FlawChecker service (`injected`) or the offline heuristic
 * (`short-reasoning`, the default, which needs no model).
 */
export const flawedPositive = definePlugin({
  kind: 'reward',
  name: 'flawed-positive',
  summary: 'FAPO flawed-positive penalty: −λ for correct rollouts whose reasoning a pluggable checker flags as flawed',
  paper: { title: 'FAPO: Flawed-Aware Policy Optimization for Efficient and Reliable Reasoning', arxiv: '2510.22543', section: 'reward_fn_reasoning.py (λ = 1 with ±1 rewards)' },
  options: flawedPositiveOptions,
  create(options, ctx) {
    const checker = checkerFor(options, ctx);
    return {
      async score(input) {
        const results = await Promise.all(
          input.trajectories.map(async (t) => {
            const root = t.parentId === undefined ? t : input.trajectories.find((r) => r.id === t.rootId);
            if (!root) return { score: NaN, failure: `reward/flawed-positive: root of "${t.id}" is not in the batch` };
            const sample = input.samples.get(root.sampleId);
            const outcome = safely(() => outcomeScore(options.check, root, sample, 'reward/flawed-positive'));
            if (!Number.isFinite(outcome.score)) return outcome;
            if (outcome.score < 1) return { score: 0, components: { flawed: 0, unparsed: 0 } };
            try {
              const verdict = await checker(root, sample);
              const flawed = verdict.flawed ? 1 : 0;
              return { score: flawed ? -options.penalty : 0, components: { flawed, unparsed: verdict.unparsed ? 1 : 0 } };
            } catch {
              // FAPO treats a checker failure as "not flawed"
              return { score: 0, components: { flawed: 0, unparsed: 1 } };
            }
          }),
        );
        return assemble(results);
      },
    };
  },
});

type Verdict = { flawed: boolean; unparsed: boolean };

function checkerFor(options: FlawedPositiveOptions, ctx: PluginContext): (t: Trajectory, sample: Sample | undefined) => Promise<Verdict> {
  if (options.checker === 'endpoint' || options.checker === 'policy') {
    let ask: ((prompt: string) => Promise<string>) | undefined;
    const askOf = () => {
      if (ask) return ask;
      if (options.checker === 'endpoint') return (ask = endpointAsker(options.genrm));
      if (!ctx.container.isRegistered(Tokens.policy, true)) {
        throw new Error('reward/flawed-positive: checker "policy" needs a policy registered under Tokens.policy (services: [[Tokens.policy, genrmPolicy]])');
      }
      return (ask = policyAsker(ctx.resolve(Tokens.policy), options.genrm, ctx.rng.fork('genrm')));
    };
    return (t, sample) => genrmVerdict(askOf(), options.genrm.promptTemplate, sample, policyText(t));
  }
  let flaw: FlawChecker;
  if (options.checker === 'injected') {
    if (!ctx.container.isRegistered(FLAW_CHECKER, true)) {
      throw new Error(
        'reward/flawed-positive: checker "injected" needs a FlawChecker registered under FLAW_CHECKER ' +
          '(pass it in the experiment services), or use checker "short-reasoning"',
      );
    }
    flaw = ctx.resolve(FLAW_CHECKER);
  } else flaw = shortReasoningChecker(options.minReasoningChars);
  return async (t, sample) => ({ flawed: await flaw.isFlawed(t, sample), unparsed: false });
}
