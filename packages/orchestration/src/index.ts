import type { AnyPluginDefinition } from '@tirl/core';
import { matpoReward } from './reward/matpo';
import { matpoRouter } from './router/matpo';
import { orchestratorRouter } from './router/orchestrator';
import { agentTool } from './tool/agent';
import { chatModelTool } from './tool/chat-model';
import { matpoMethod } from './method/matpo';
import { evolvingRubric } from './judges/evolving-rubric';
import { mixtureOfJudges } from './judges/mixture-of-judges';
import { toolAugmentedRm } from './judges/tool-augmented-rm';

export { matpoRouter, workerRole, DEFAULT_PLANNER_PROMPT } from './router/matpo';
export { orchestratorRouter, DEFAULT_ORCHESTRATOR_PROMPT } from './router/orchestrator';
export { matpoReward } from './reward/matpo';
export { exactMatch, goldAliases, lastAnswerTag, lastBoxed, normalizeAnswer, predictedAnswer, type AnswerSource } from './reward/answer';
export { FORMAT_ERRORS, formatScore } from './reward/format';
export { agentTool } from './tool/agent';
export { createAgentTool, workerMessages, type AgentToolSpec } from './tool/agent-tool';
export { chatModelTool } from './tool/chat-model';
export { callCost, createChatModelTool, type ChatModelSpec } from './tool/chat-client';
export { DEFAULT_FAILED_PROMPT, DEFAULT_FINAL_PROMPT, DEFAULT_TEMPLATE, DEFAULT_WORKER_PROMPT } from './tool/options';
export { handBack, stripThink, stripToolBlocks, type HandBackOptions } from './text/hand-back';
export { userQuery, withSystem } from './text/query';
export { matpoMethod } from './method/matpo';
export { ACCURACY_JUDGE, DEFAULT_GRADES, DEFAULT_JUDGE_PROMPT, judgePrompt, parseGrade, type AccuracyJudge, type JudgeRequest } from './judge/judge';
export { createEndpointJudge, type EndpointJudgeSpec } from './judge/endpoint-judge';
export { createPolicyJudge, type PolicyJudgeSpec } from './judge/policy-judge';

export { createJudgeChat, judgeSourceShape, type JudgeChat, type JudgeSource } from './judges/judge-chat';
export { DEFAULT_THEMIS_PROMPT, parseAction, parseScore, TOOL_FAILURE, toolAugmentedRm } from './judges/tool-augmented-rm';
export { DEFAULT_META_PROMPT, DEFAULT_RUBRIC_PROMPT, evolvingRubric, rubricItems, rubricScore } from './judges/evolving-rubric';
export { DEFAULT_RM_PROMPT, mixtureOfJudges, sigmoid } from './judges/mixture-of-judges';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [matpoRouter, orchestratorRouter, matpoReward, agentTool, chatModelTool, toolAugmentedRm, evolvingRubric, mixtureOfJudges];

/** Methods of this package: MATPO is defined here, once. */
export const methods = [matpoMethod];
