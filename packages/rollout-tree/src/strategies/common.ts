import type { RolloutInput, RolloutOutput, RolloutTree, Sample } from '@tirl/core';
import type { Agent, PathNode } from '../engine/agent';
import { RolloutEngine, type EngineOptions } from '../engine/engine';

/** Ids of one sample's tree in one rollout call. */
export function treeIdFor(sample: Sample, step: number, index: number): string {
  return `${sample.id}@${step}.${index}`;
}

/** The prompt node of a tree: all of the sample's rollouts branch from it. */
export function rootNode(engine: RolloutEngine, treeId: string, base: Agent): PathNode {
  return { id: `${treeId}/root`, tokenOffset: engine.session.length(base.row), turn: 0, reason: 'root', folds: 0 };
}

/** Runs `body` with an engine, then releases rows and tool state; adds the engine's counters as metrics. */
export async function withEngine(
  input: RolloutInput,
  options: EngineOptions,
  needEntropy: boolean,
  body: (engine: RolloutEngine) => Promise<RolloutTree[]>,
): Promise<RolloutOutput> {
  const engine = new RolloutEngine(input, options, needEntropy);
  let trees: RolloutTree[] = [];
  try {
    trees = await body(engine);
  } finally {
    await engine.dispose(trees.flatMap((t) => t.trajectories.map((x) => x.id)));
  }
  const all = trees.flatMap((t) => t.trajectories);
  const s = engine.stats;
  return {
    trees,
    metrics: {
      'rollout/trajectories': all.length,
      'rollout/turns': s.turns,
      'rollout/tool_calls': s.toolCalls,
      'rollout/tool_errors': s.toolErrors,
      'rollout/spawned': s.spawned,
      'rollout/folds': s.folds,
      'rollout/generate_calls': engine.batcher.calls,
      'rollout/mean_batch_rows': engine.batcher.calls ? engine.batcher.rowsServed / engine.batcher.calls : 0,
    },
  };
}

/** Starts `n` rollouts of a sample sharing one prompt row (the first is the base, the others forks). */
export function startSiblings(engine: RolloutEngine, sample: Sample, treeId: string, n: number, idOf: (i: number) => string): { agents: Agent[]; root: PathNode } {
  const base = engine.startRoot({ sample, id: idOf(0), groupId: sample.id, path: [] });
  const root = rootNode(engine, treeId, base);
  base.path.push(root);
  if (n <= 0) {
    engine.discard(base);
    return { agents: [], root };
  }
  const agents = [base];
  for (let i = 1; i < n; i++) agents.push(engine.fork(base, idOf(i)));
  return { agents, root };
}
