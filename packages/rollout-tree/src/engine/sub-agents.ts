import type { Segment, SpawnRequest, SpawnResult, Tool } from '@tirl/core';
import { toTrajectory, type Agent } from './agent';
import { createAgent, toolsForRole } from './agent-factory';
import type { EngineContext } from './context';

/** Runs a child rollout for a tool of `parent` and records it under the parent. */
export async function spawnChild(ctx: EngineContext, parent: Agent, req: SpawnRequest, turn: number, spawnedIds: string[]): Promise<SpawnResult> {
  const slot = parent.spawned.length;
  parent.spawned.push([]);
  if (parent.depth + 1 > ctx.opts.maxSpawnDepth) {
    return { childId: '', ok: false, text: `Error (spawn): sub-rollouts nest at most ${ctx.opts.maxSpawnDepth} deep.` };
  }
  let tools: Map<string, Tool>;
  try {
    tools = toolsForRole(ctx, req.role, req.tools);
  } catch (e) {
    return { childId: '', ok: false, text: `Error (spawn): ${(e as Error).message}` };
  }
  const child = createAgent(ctx, {
    sample: parent.sample,
    id: `${parent.id}.c${slot}`,
    groupId: parent.groupId,
    rootId: parent.rootId,
    parentId: parent.id,
    spawnTurn: turn,
    role: req.role,
    messages: req.messages,
    tools,
    depth: parent.depth + 1,
    maxTurns: req.maxTurns ?? ctx.input.limits.maxTurns,
    finalPrompt: req.finalPrompt,
    alwaysFinal: req.alwaysFinal,
    summaryReserve: req.summaryReserve,
    failedPrompt: req.failedPrompt,
    path: [],
  });
  spawnedIds.push(child.id);
  ctx.stats.spawned++;
  await ctx.runToEnd([child]);
  const traj = toTrajectory(child);
  parent.spawned[slot] = [traj, ...child.pieces, ...child.spawned.flat()];
  // A child cut by turns or a limit that still wrote its final summary returns that summary as a result.
  const ok = child.finishReason === 'stop' || (child.summarised === true && child.answer !== undefined);
  return { childId: child.id, ok, text: child.answer ?? lastPolicyText(child.segments) };
}

function lastPolicyText(segments: readonly Segment[]): string {
  for (let i = segments.length - 1; i >= 0; i--) if (segments[i].source === 'policy') return segments[i].text ?? '';
  return '';
}
