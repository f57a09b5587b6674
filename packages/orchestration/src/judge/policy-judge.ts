import { policyReply, type PolicyGenerator, type Rng } from '@tirl/core';
import { judgePrompt, parseGrade, type AccuracyJudge, type JudgeRequest } from './judge';

export interface PolicyJudgeSpec {
  promptTemplate: string;
  grades: Readonly<Record<string, number>>;
  maxNewTokens: number;
  /** Sampling temperature; 0 = greedy (the default of a grader). */
  temperature: number;
}

/**
 * A tirl policy as the judge (core's `policyReply`): the prompt is rendered with the policy's chat template,
 * the reply generated in a fresh session and its first grade letter read. Nothing of it is trained.
 */
export function createPolicyJudge(policy: PolicyGenerator, spec: PolicyJudgeSpec, rng: Rng): AccuracyJudge {
  let calls = 0;
  return {
    async grade(request: JudgeRequest): Promise<number> {
      if (request.answer === undefined) return 0;
      const reply = await policyReply(policy, judgePrompt(spec.promptTemplate, request), spec, rng.fork(`judge-${calls++}`));
      return parseGrade(reply, spec.grades);
    },
  };
}
