import { Queue } from 'bullmq';
import { connectRedis, type Log } from './connection';
import { parseQueueUrl, runKeys } from './url';
import type { WorkerStats } from './worker';

export interface RunStatus {
  runId: string;
  latestVersion: number | null;
  queue: Record<string, number>;
  deadLetters: number;
  workers: (WorkerStats & { alive: boolean; trajectoriesPerSecond: number })[];
}

/** Workers of a run with their policy versions and throughput, the queue's counts and the dead-letter length. */
export async function queueStatus(url: string, runId = 'default', log: Log = () => undefined): Promise<RunStatus> {
  const address = parseQueueUrl(url);
  const keys = runKeys(runId);
  const redis = connectRedis(address, 'status', log);
  const queue = new Queue(keys.queue, { connection: redis, prefix: keys.prefix });
  try {
    const [latest, counts, dead, workers] = await Promise.all([
      redis.get(keys.latestVersion),
      queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
      redis.llen(keys.deadLetter),
      redis.hgetall(keys.workers),
    ]);
    const now = Date.now();
    return {
      runId,
      latestVersion: latest === null ? null : Number(latest),
      queue: counts,
      deadLetters: dead,
      workers: Object.values(workers)
        .map((w) => JSON.parse(w) as WorkerStats)
        .map((w) => ({ ...w, alive: now - w.lastSeen < 5000, trajectoriesPerSecond: w.trajectories / Math.max(1e-9, (w.lastSeen - w.startedAt) / 1000) })),
    };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

export function formatStatus(s: RunStatus): string {
  const lines = [
    `run "${s.runId}": policy version ${s.latestVersion ?? 'none published'}`,
    `queue: ${Object.entries(s.queue).map(([k, v]) => `${v} ${k}`).join(', ')}; dead letters: ${s.deadLetters}`,
    `workers (${s.workers.filter((w) => w.alive).length} alive):`,
  ];
  for (const w of s.workers) {
    lines.push(
      `  ${w.id.padEnd(28)} ${w.alive ? 'alive' : 'silent'}  version ${w.version}  ${w.jobs} jobs  ${w.trajectories} trajectories  ${w.trajectoriesPerSecond.toFixed(2)}/s`,
    );
  }
  return lines.join('\n');
}
