import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { createAgentTool } from './agent-tool';
import { workerShape, workerSpec } from './options';

/**
 * An agent-as-tool on its own: a tool that spawns a worker rollout (isolated context with the user query
 * recapped, its own tools, a forced summary on running out of turns) and returns the cleaned report.
 * `router/matpo` builds the same tool for its planner; use this one to give agent tools to a plain rollout.
 */
export const agentTool = definePlugin({
  kind: 'tool',
  name: 'agent',
  summary: 'Agent-as-tool: spawns an isolated worker sub-rollout and returns its cleaned final report',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '3.1 (agent tool, worker rollout)' },
  options: z
    .object({
      name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('delegate'),
      description: z.string().default('Delegate a self-contained subtask to a worker agent; returns its report.'),
      role: z.string().min(1).default('worker'),
      ...workerShape,
    })
    .strict(),
  create: (o) =>
    createAgentTool({
      name: o.name,
      description: o.description,
      role: o.role,
      ...workerSpec(o),
    }),
});
