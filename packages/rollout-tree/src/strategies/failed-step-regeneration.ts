import { definePlugin, type RolloutInput, type RolloutStrategy, type RolloutTree, type Sample, type Segment, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import type { Agent } from '../engine/agent';
import { engineOptionsShape, type RolloutEngine } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';
import { isCodeCall, isFailedExecution, stepPrefix, type ExecutionRule, type StepPrefix } from './step-cut';

const options = z
  .object({
    ...engineOptionsShape,
    /** Continuations regenerated per chosen rollout (`pass_rate_n`; run_code_grpo.sh: 16). */
    passRateN: z.number().int().positive().default(16),
    /** Tokens removed before the failed call (`del_last_token_num`; run_code_grpo.sh: 100, function default 200). */
    delLastTokens: z.number().int().nonnegative().default(100),
    /** Tool names that execute code. */
    codeTools: z.array(z.string().min(1)).min(1).default(['python']),
    /** An execution that printed nothing fails (the sandbox's "Done" needs exit code 0 and non-empty stdout). */
    emptyOutputFails: z.boolean().default(true),
    /** A trajectory-level rollout ends at its first failed execution (`filter_code`, default True in training). */
    stopOnFailure: z.boolean().default(true),
    /** Step-level rows whose continuation wrote no code call are dropped (the released code's kept flag). */
    dropNoCode: z.boolean().default(true),
    /** Chosen rollouts per call at most, as a multiple of the prompts in the call (the code: 1.0 × prompts). */
    maxStepsPerPrompt: z.number().positive().default(1),
    /** `trajectory.meta` flag of step-level rows (read by `reward/execution-pass`). */
    flagKey: z.string().min(1).default('stepLevel'),
  })
  .strict();

type Options = z.output<typeof options>;

/** A rollout chosen for step-level regeneration and where its step restarts. */
interface Chosen {
  source: Trajectory;
  sample: Sample;
  prefix: StepPrefix;
}

/**
 * THOR's hierarchical rollout. Trajectory level: `rollouts` tool-integrated rollouts per prompt (a rollout
 * ends at its first failed execution unless `stopOnFailure` is off). Step level ("pass-rate optimisation"):
 * the rollouts with a failed execution (if none, one random rollout with code; if none has code, one random
 * rollout), at most `maxStepsPerPrompt` × prompts of them at random, are cut before their last failed code
 * call and `delLastTokens` more tokens (on token ids); from prompt + prefix, `passRateN` continuations are
 * generated, each allowed exactly one code call and stopped after its execution. Each chosen rollout's
 * continuations form their own group: a sample copy with its own id (`<sample>#step:<rollout>`, handed back in
 * `samples`, so group filters and advantages never mix it with the prompt's trajectory group). The prefix is
 * part of the step sample's prompt segment, so it is never trained and rewards see only the continuation.
 */
export const failedStepRegenerationRollout = definePlugin({
  kind: 'rollout',
  name: 'failed-step-regeneration',
  summary: 'THOR: tool-integrated rollouts, then for rollouts with a failed execution, passRateN regenerations of the failed step from a cut prefix, each its own group',
  paper: {
    title: 'THOR: Tool-Integrated Hierarchical Optimization via RL for Mathematical Reasoning',
    arxiv: '2509.13761',
    section: '3 (hierarchical optimisation, step level); code vllm_rollout_spmd.py generate_sequences, remove_last_python_output; run_code_grpo.sh',
  },
  options,
  create: (o): RolloutStrategy => ({
    rollout: (input: RolloutInput) => {
      const stepSamples = new Map<string, Sample>();
      const rule: ExecutionRule = { codeTools: o.codeTools, emptyOutputFails: o.emptyOutputFails };
      return withEngine(input, o, false, async (engine) => {
        const groups = input.samples.map(({ sample, rollouts }, k) => {
          const treeId = treeIdFor(sample, input.step, k);
          return { treeId, sample, agents: startSiblings(engine, sample, treeId, rollouts, (i) => `${treeId}/${i}`).agents };
        });
        await runStoppingOnFailure(engine, groups.flatMap((g) => g.agents), o.stopOnFailure ? rule : undefined);
        const trees = groups.map((g) => assembleTree(engine, g.treeId, g.sample.id, g.agents, true));
        const chosen = chooseRollouts(trees, groups, input, o, rule, engine);
        for (const c of chosen) {
          const tree = await regenerateStep(engine, c, o, rule);
          if (!tree.trajectories.length) continue;
          trees.push(tree);
          stepSamples.set(tree.sampleId, { ...c.sample, id: tree.sampleId, meta: { ...(c.sample.meta ?? {}), stepOf: c.source.id } });
        }
        return trees;
      }).then((out) => {
        const steps = out.trees.flatMap((t) => t.trajectories).filter((t) => t.meta?.[o.flagKey] === true);
        return {
          ...out,
          samples: [...stepSamples.values()],
          metrics: {
            ...(out.metrics ?? {}),
            'rollout/step_groups': stepSamples.size,
            'rollout/step_rows': steps.length,
            'rollout/step_pass_fraction': steps.length ? steps.filter((t) => t.toolCalls.some((c) => isCodeCall(c, rule) && !isFailedExecution(c, rule))).length / steps.length : 0,
          },
        };
      });
    },
  }),
});

/** Runs rollouts turn by turn; with a rule, a rollout whose last turn had a failed execution ends there. */
async function runStoppingOnFailure(engine: RolloutEngine, agents: readonly Agent[], rule: ExecutionRule | undefined): Promise<void> {
  for (let active = agents.filter((a) => !a.done); active.length; active = active.filter((a) => !a.done)) {
    await engine.turn(active);
    if (!rule) continue;
    for (const a of active) {
      const last = a.lastTurnCalls ? a.toolCalls.slice(-a.lastTurnCalls) : [];
      if (!a.done && last.some((c) => isFailedExecution(c, rule))) engine.finish(a, 'stop');
    }
  }
}

/** THOR's choice of rollouts to regenerate, drawn with the run's seeded stream. */
function chooseRollouts(
  trees: readonly RolloutTree[],
  groups: readonly { sample: Sample; treeId: string }[],
  input: RolloutInput,
  o: Options,
  rule: ExecutionRule,
  engine: RolloutEngine,
): Chosen[] {
  const rng = input.rng.fork('failed-step-regeneration');
  const sampleOf = new Map(groups.map((g) => [g.treeId, g.sample]));
  const roots = trees.flatMap((tree) => tree.trajectories.filter((t) => t.parentId === undefined && !t.meta?.foldPiece).map((t) => ({ t, sample: sampleOf.get(tree.id)! })));
  if (!roots.length) return [];
  let pool = roots.filter(({ t }) => t.toolCalls.some((c) => isFailedExecution(c, rule)));
  if (!pool.length) {
    // No failure: one random rollout with code, else one random rollout.
    const withCode = roots.filter(({ t }) => t.toolCalls.some((c) => isCodeCall(c, rule)));
    const from = withCode.length ? withCode : roots;
    pool = [from[rng.int(from.length)]];
  }
  const cap = Math.max(1, Math.floor(o.maxStepsPerPrompt * input.samples.length));
  if (pool.length > cap) pool = rng.shuffle(pool).slice(0, cap);
  return pool.map(({ t, sample }) => ({
    source: t,
    sample,
    prefix: stepPrefix(t, input.toolFormat, engine.tokenizer, rule, o.delLastTokens),
  }));
}

/** `passRateN` continuations of one chosen rollout's prefix, each one generation turn whose calls run, then stopped. */
async function regenerateStep(engine: RolloutEngine, c: Chosen, o: Options, rule: ExecutionRule): Promise<RolloutTree> {
  const stepId = `${c.sample.id}#step:${c.source.id}`;
  const treeId = `${c.source.id}/step`;
  const base = engine.startRoot({ sample: { ...c.sample, id: stepId }, id: `${treeId}/0`, groupId: stepId, path: [] });
  const prompt = base.segments[0];
  if (c.prefix.tokenIds.length) engine.session.append(base.row, c.prefix.tokenIds);
  base.segments = [promptWithPrefix(prompt, c.prefix.tokenIds, engine)];
  base.responseTokens = c.prefix.tokenIds.length;
  base.turn = c.prefix.turn;
  // One generation whose call runs: the engine skips the calls of a rollout's last allowed turn.
  base.maxTurns = c.prefix.turn + 2;
  base.path.push({ id: `${treeId}/root`, tokenOffset: engine.session.length(base.row), turn: base.turn, reason: 'root', folds: 0 });
  const agents = [base];
  for (let i = 1; i < o.passRateN; i++) agents.push(engine.fork(base, `${treeId}/${i}`));
  await engine.turn(agents);
  for (const a of agents) if (!a.done) engine.finish(a, 'stop');
  const tree = assembleTree(engine, treeId, stepId, agents, false);
  const kept = tree.trajectories.filter((t) => !o.dropNoCode || t.toolCalls.some((call) => isCodeCall(call, rule)));
  return {
    ...tree,
    trajectories: kept.map((t) => ({
      ...t,
      meta: { ...(t.meta ?? {}), [o.flagKey]: true, stepOf: c.source.id, prefixTokens: c.prefix.tokenIds.length, cutAt: c.prefix.cutAt },
    })),
  };
}

/** The step sample's prompt: the original prompt followed by the kept prefix, re-detokenised from its ids. */
function promptWithPrefix(prompt: Segment, prefix: readonly number[], engine: RolloutEngine): Segment {
  if (!prefix.length) return prompt;
  return { ...prompt, tokenIds: [...prompt.tokenIds, ...prefix], text: `${prompt.text ?? ''}${engine.tokenizer.decode(prefix)}` };
}
