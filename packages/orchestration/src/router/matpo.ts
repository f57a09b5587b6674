import { definePlugin, type AgentRouter, type RoleSpec, type Sample, type Tool } from '@tirl/core';
import { z } from 'zod';
import { withSystem } from '../text/query';
import { createAgentTool } from '../tool/agent-tool';
import { workerShape, workerSpec } from '../tool/options';

export const DEFAULT_PLANNER_PROMPT =
  'You are the planner. Break the question into subtasks and delegate each to a worker with the agent tool. ' +
  'When you know the answer, give it as \\boxed{answer}.';

/** Role name of the worker at spawn depth `depth` (1 = workers of the planner). */
export function workerRole(base: string, depth: number): string {
  return depth === 1 ? base : `${base}-${depth}`;
}

/**
 * MATPO roles on one shared policy: a planner whose agent tool spawns isolated worker rollouts. Roles are
 * prompts plus tool sets; `maxDepth` 1 (paper) gives workers no agent tool, deeper nesting gives the
 * workers of depth d < maxDepth their own agent tool that spawns role `worker-(d+1)`. Worker results return
 * as the planner's tool observations (masked), one per call, in call order.
 */
export const matpoRouter = definePlugin({
  kind: 'router',
  name: 'matpo',
  summary: 'MATPO planner/worker roles on one policy: agent-tool calls spawn isolated worker rollouts',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '3.1 (multi-agent rollout)' },
  options: z
    .object({
      plannerRole: z.string().min(1).default('planner'),
      plannerPrompt: z.string().default(DEFAULT_PLANNER_PROMPT),
      /** Ordinary tools the planner may call besides the agent tool (paper: none). */
      plannerTools: z.array(z.string().min(1)).default([]),
      workerRole: z.string().min(1).default('worker'),
      agentToolName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('delegate'),
      agentToolDescription: z.string().default('Delegate a self-contained subtask to a worker agent; returns its report.'),
      /** How many levels of workers may exist (paper: 1, workers cannot delegate). */
      maxDepth: z.number().int().min(1).max(8).default(1),
      ...workerShape,
    })
    .strict()
    .refine((o) => o.plannerRole !== o.workerRole, { path: ['workerRole'], message: 'must differ from plannerRole' }),
  create: (o): AgentRouter => {
    const roleNames = Array.from({ length: o.maxDepth }, (_, i) => workerRole(o.workerRole, i + 1));
    const agentToolFor = (depth: number): Tool =>
      createAgentTool({
        name: o.agentToolName,
        description: o.agentToolDescription,
        role: workerRole(o.workerRole, depth),
        ...workerSpec(o),
      });
    const tools = new Map<string, Tool[]>([[o.plannerRole, [agentToolFor(1)]]]);
    roleNames.forEach((role, i) => tools.set(role, i + 1 < o.maxDepth ? [agentToolFor(i + 2)] : []));
    const roles: RoleSpec[] = [
      { name: o.plannerRole, systemPrompt: o.plannerPrompt, tools: o.plannerTools },
      ...roleNames.map((name) => ({ name, systemPrompt: o.workerPrompt, tools: o.workerTools })),
    ];
    return {
      rootRole: o.plannerRole,
      roles: () => roles,
      rootMessages: (sample: Sample) => withSystem(o.plannerPrompt, sample.messages),
      agentTools: (role: string) => tools.get(role) ?? [],
    };
  },
});
