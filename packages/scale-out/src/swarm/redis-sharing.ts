import type { Redis } from 'ioredis';
import { connectRedis, type Log } from '../connection';
import { parseQueueUrl } from '../url';
import { encodeSharedRollout } from './shared-rollout';
import { PendingRollouts, type RolloutSharing } from './sharing';

const SWARM_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface RedisSharingOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** Names the swarm's stream, so several swarms share one Redis (default `default`). */
  swarmId?: string;
  node: string;
  /** Unused peer rollouts kept (the newest); default 64. */
  maxPending?: number;
  /** Entries the stream keeps (approximately); default 10,000. */
  streamLength?: number;
  log?: Log;
}

/** The stream a swarm shares: `tirl:swarm:<id>:rollouts`. */
export function swarmStreamKey(swarmId: string): string {
  if (!SWARM_ID.test(swarmId)) throw new Error(`--swarm-id "${swarmId}" is not valid: use 1-64 letters, digits, ".", "_" or "-".`);
  return `tirl:swarm:${swarmId}:rollouts`;
}

/**
 * Rollout sharing on a Redis stream: `publish` appends (XADD, capped), `take` first reads what arrived
 * since the node's cursor (XREAD), then hands out pending rollouts. A node that joins late starts at the
 * stream's end: it shares from now on, as a node joining a running swarm does.
 */
export async function redisSharing(o: RedisSharingOptions): Promise<RolloutSharing> {
  const log = o.log ?? ((line: string) => console.log(line));
  const key = swarmStreamKey(o.swarmId ?? 'default');
  const redis: Redis = connectRedis(parseQueueUrl(o.url), `swarm node ${o.node}`, log);
  let warned = 0;
  const inbox = new PendingRollouts(o.node, o.maxPending ?? 64, (reason) => {
    if (warned++ < 3) log(`swarm node ${o.node}: refused a peer's rollout (${reason})${warned === 3 ? '; further refusals are only counted' : ''}`);
  });
  const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
  let cursor = last.length ? last[0][0] : '0-0';
  const read = async () => {
    for (;;) {
      const res = (await redis.xread('COUNT', 512, 'STREAMS', key, cursor)) as [string, [string, string[]][]][] | null;
      const entries = res?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        cursor = id;
        const at = fields.indexOf('rollout');
        inbox.add(at >= 0 ? fields[at + 1] : '');
      }
      if (entries.length < 512) return;
    }
  };
  return {
    publish: async (rollouts) => {
      const pipeline = redis.pipeline();
      for (const r of rollouts) pipeline.xadd(key, 'MAXLEN', '~', String(o.streamLength ?? 10_000), '*', 'rollout', encodeSharedRollout(r));
      await pipeline.exec();
    },
    take: async (count, groupSize) => {
      await read();
      return inbox.take(count, groupSize);
    },
    stats: () => inbox.stats(),
    close: async () => {
      redis.disconnect();
    },
  };
}
