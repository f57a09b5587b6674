import { definePlugin, type ToolCallRecord, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { OUTCOME_CHECKS, outcomeScore } from '../outcome/check';
import { scoreRoots, type Scored } from '../util/score-each';

const options = z
  .object({
    /** How trajectory-level rows are scored: an outcome check against the gold answer, or `none` (0: the task's correctness reward scores them). */
    check: z.enum([...OUTCOME_CHECKS, 'none']).default('math'),
    /** `trajectory.meta` flag of step-level rows (`rollout/failed-step-regeneration`). */
    flagKey: z.string().min(1).default('stepLevel'),
    /** Tool names that execute code. */
    codeTools: z.array(z.string().min(1)).min(1).default(['python']),
    /** An execution that printed nothing fails (THOR's sandbox says "Done" only for exit code 0 with non-empty stdout). */
    emptyOutputFails: z.boolean().default(true),
    /** Score of a step-level row that wrote no code call (the rollout drops such rows by default). */
    noCode: z.number().default(0),
  })
  .strict();

type Options = z.output<typeof options>;

/** 1 when the step's code call executed (no error; output when `emptyOutputFails`), else 0; `noCode` without one. */
export function executionPass(calls: readonly ToolCallRecord[], o: Pick<Options, 'codeTools' | 'emptyOutputFails' | 'noCode'>): number {
  const call = calls.find((c) => o.codeTools.includes(c.name) && c.error !== 'budget');
  if (!call) return o.noCode;
  const text = call.observation.trim();
  const empty = text === '' || text === '(no output)';
  return call.ok && !(o.emptyOutputFails && empty) ? 1 : 0;
}

/**
 * THOR's reward (`naive.py`): a step-level row (flagged by the rollout) scores whether its regenerated code
 * executed, and nothing else; a trajectory-level row scores its final answer. It replaces the task's
 * correctness reward, since step rows must not be judged on an answer they were never asked to give.
 */
export const executionPassReward = definePlugin({
  kind: 'reward',
  name: 'execution-pass',
  summary: 'THOR: step-level rows score 1 when their regenerated code executed, else 0; trajectory-level rows score answer correctness',
  paper: {
    title: 'THOR: Tool-Integrated Hierarchical Optimization via RL for Mathematical Reasoning',
    arxiv: '2509.13761',
    section: '3 (step-level reward from code execution); code reward_manager/naive.py (pass_optim_flag → execution_passes)',
  },
  options,
  create: (o) => ({
    score: (input) =>
      scoreRoots(input, (root: Trajectory, sample): Scored => {
        if (root.meta?.[o.flagKey] === true) {
          const pass = executionPass(root.toolCalls, o);
          return { score: pass, components: { execution_pass: pass } };
        }
        const outcome = o.check === 'none' ? 0 : outcomeScore(o.check, root, sample, 'reward/execution-pass');
        return { score: outcome, components: { outcome } };
      }),
  }),
});
