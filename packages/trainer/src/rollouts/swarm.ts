import { TirlError, type Experiment, type PolicyGenerator, type Tokenizer } from '@tirl/core';
import type { TrainerSettings } from '../settings';
import { loadScaleOut } from './queue';
import { embeddedRolloutSource, type RolloutJob, type RolloutSource } from './rollout-source';

/** This run as a node of a Swarm SAPO swarm (see docs/scale-out.md). */
export interface SwarmOptions {
  /** `redis://HOST:PORT[/DB]` where the swarm shares rollouts. */
  url?: string;
  /** Several swarms can share one Redis (default `default`). */
  swarmId?: string;
  /** This node's name, unique in the swarm. */
  node: string;
  /** Seconds a round waits for the J peer groups before training with fewer (default 0). */
  waitSeconds?: number;
  /** A transport given directly instead of `url` (a `MemorySwarm` member of `@tirl/scale-out`, nodes in one process). */
  sharing?: unknown;
  log?: (line: string) => void;
}

/** Checks that a method taking peers' rollouts has a swarm, and that a swarm runs a method that can take them. */
export function checkSwarmSettings(settings: TrainerSettings, swarm: SwarmOptions | undefined, method: string): void {
  const external = settings.swarm.external;
  if (external > 0 && !swarm) {
    throw new TirlError(
      `Method "${method}" adds ${external} rollout groups from other nodes to each step (swarm.external = ${external}), but this run is in no swarm. ` +
        'Pass --swarm redis://HOST:PORT --node NAME, or --set swarm.external=0 to train alone.',
      'invalid-options',
    );
  }
  if (swarm && settings.scaleOut.maxStaleness > 0) {
    throw new TirlError('A swarm node rolls out in its own process: set scaleOut.maxStaleness to 0.', 'invalid-options');
  }
  if (swarm && external > 0 && settings.oldLogProbs !== 'recompute') {
    throw new TirlError(
      `Peers' rollouts carry no log-probs of this model: set oldLogProbs to "recompute" (--set oldLogProbs=recompute), as the swarm-sapo method does.`,
      'invalid-options',
    );
  }
}

/** Rollouts of this node plus the swarm's (`@tirl/scale-out`). */
export async function connectSwarm(
  swarm: SwarmOptions,
  run: { exp: Experiment; policy: PolicyGenerator; settings: TrainerSettings; tokenizer: Tokenizer },
): Promise<RolloutSource> {
  const source = await loadScaleOut().connectSwarm({
    url: swarm.url,
    swarmId: swarm.swarmId,
    node: swarm.node,
    sharing: swarm.sharing,
    external: run.settings.swarm.external,
    groupSize: run.settings.groupSize,
    local: embeddedRolloutSource(run.exp, run.policy),
    replay: (policy: PolicyGenerator) => embeddedRolloutSource(run.exp, policy),
    tokenizer: run.tokenizer,
    maxContext: run.policy.maxContext,
    waitMs: (swarm.waitSeconds ?? 0) * 1000,
    log: swarm.log,
  });
  return source as RolloutSource & { run(job: RolloutJob): ReturnType<RolloutSource['run']> };
}
