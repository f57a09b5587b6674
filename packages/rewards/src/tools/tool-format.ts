import { definePlugin, type ToolCallRecord, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { assemble, groupIndices, safely } from '../util/score-each';
import { declaredTools, type DeclaredTool } from './schemas';
import { argsFitSchema } from './validate-args';

const CALL_ERRORS = new Set(['parse', 'unknown-tool', 'schema']);

/** Whether one recorded call is well-formed against the tools the rollout's prompt declared. */
export function callIsValid(call: ToolCallRecord, tools: DeclaredTool[] | undefined): boolean {
  if (call.error === 'parse') return false;
  if (!tools) return !CALL_ERRORS.has(call.error ?? '');
  const tool = tools.find((x) => x.name === call.name);
  return !!tool && argsFitSchema(call.args, tool.parameters);
}

/** MATPO fmt(x): valid calls / calls; `noCalls` when the trajectory made none. */
export function formatRatio(t: Trajectory, noCalls: number): number {
  if (t.toolCalls.length === 0) return noCalls;
  const tools = declaredTools(t);
  return t.toolCalls.filter((c) => callIsValid(c, tools)).length / t.toolCalls.length;
}

/** MATPO format reward: per-role mean of fmt over the root's tree, then the mean over roles. */
export const toolFormat = definePlugin({
  kind: 'reward',
  name: 'tool-format',
  summary: 'Share of tool calls valid against the schemas in that rollout\'s prompt, averaged per role over the rollout tree (MATPO fmt)',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization (MATPO)', arxiv: '2510.04678', section: '3.2 (format reward)' },
  options: z
    .object({
      /** Roles averaged with equal weight (MATPO: planner, worker). Empty: every role present in the tree. */
      roles: z.array(z.string().min(1)).default([]),
      /** fmt of a listed role with no trajectory in the tree (MATPO code: 0 when no worker was spawned). */
      missingRole: z.number().min(0).max(1).default(0),
      /** fmt of a trajectory without tool calls. */
      noCalls: z.number().min(0).max(1).default(1),
    })
    .strict(),
  create(options) {
    return {
      score(input) {
        const trees = groupIndices(input.trajectories, (t) => t.rootId);
        const byRoot = new Map<string, ReturnType<typeof safely>>();
        for (const [rootId, indices] of trees) {
          byRoot.set(
            rootId,
            safely(() => {
              const members = indices.map((i) => input.trajectories[i]);
              const roles = options.roles.length ? options.roles : [...new Set(members.map((m) => m.role))];
              const components: Record<string, number> = {};
              for (const role of roles) {
                const ofRole = members.filter((m) => m.role === role);
                components[`fmt/${role}`] = ofRole.length
                  ? ofRole.reduce((s, m) => s + formatRatio(m, options.noCalls), 0) / ofRole.length
                  : options.missingRole;
              }
              const score = roles.reduce((s, r) => s + components[`fmt/${r}`], 0) / roles.length;
              return { score, components };
            }),
          );
        }
        return assemble(input.trajectories.map((t) => byRoot.get(t.rootId)!));
      },
    };
  },
});
