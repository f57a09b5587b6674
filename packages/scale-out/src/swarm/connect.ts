import { TirlError } from '@tirl/core';
import { redisSharing } from './redis-sharing';
import type { RolloutSharing } from './sharing';
import { SwarmSource, type SwarmSourceOptions } from './swarm-source';

export type ConnectSwarmOptions = Omit<SwarmSourceOptions, 'sharing'> & {
  /** `redis://HOST:PORT[/DB]`: the swarm's stream lives there. */
  url?: string;
  swarmId?: string;
  /** A transport given directly (e.g. a `MemorySwarm` member for nodes in one process). */
  sharing?: RolloutSharing;
};

/** A node's rollout source in a swarm, on Redis (`url`) or on a given transport. */
export async function connectSwarm(o: ConnectSwarmOptions): Promise<SwarmSource> {
  if (!o.node || !/^[A-Za-z0-9._-]{1,128}$/.test(o.node)) {
    throw new TirlError(`--node "${o.node ?? ''}" is not a valid node name: use 1-128 letters, digits, ".", "_" or "-".`, 'invalid-options');
  }
  const sharing = o.sharing ?? (o.url ? await redisSharing({ url: o.url, swarmId: o.swarmId, node: o.node, log: o.log }) : undefined);
  if (!sharing) throw new TirlError('A swarm needs a place to share rollouts: pass --swarm redis://HOST:PORT[/DB].', 'invalid-options');
  return new SwarmSource({ ...o, sharing });
}
