import { Redis } from 'ioredis';
import type { QueueAddress } from './url';

export type Log = (line: string) => void;

/**
 * An ioredis connection that retries forever with capped exponential backoff (100 ms doubling to 5 s)
 * and says so: a lost or unreachable Redis is announced once per outage, with the next retry delay, and
 * again when it comes back. `maxRetriesPerRequest: null` is what BullMQ workers require.
 */
export function connectRedis(address: QueueAddress, role: string, log: Log): Redis {
  let outage = false;
  const redis = new Redis({
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.password ? { password: address.password } : {}),
    ...(address.username ? { username: address.username } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => {
      const delay = Math.min(5000, 100 * 2 ** Math.min(attempt - 1, 6));
      if (!outage || attempt % 10 === 0) log(`${role}: Redis at ${address.display} unreachable (attempt ${attempt}); retrying in ${delay} ms`);
      outage = true;
      return delay;
    },
  });
  redis.on('error', () => undefined); // reported by retryStrategy; an unhandled 'error' event would crash the process
  redis.on('ready', () => {
    if (outage) log(`${role}: reconnected to Redis at ${address.display}`);
    outage = false;
  });
  return redis;
}
