import { TirlError } from '@tirl/core';

export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  password?: string;
  username?: string;
  /** The URL without its password, for messages. */
  display: string;
}

/** Parses `redis://[user:password@]HOST:PORT[/DB]`; errors name the part at fault and the expected form. */
export function parseQueueUrl(url: string): QueueAddress {
  const form = 'Expected redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379/0.';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TirlError(`--queue "${url}" is not a URL. ${form}`, 'invalid-options');
  }
  if (u.protocol !== 'redis:') throw new TirlError(`--queue "${url}": protocol "${u.protocol}" is not supported. ${form}`, 'invalid-options');
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new TirlError(`--queue "${url}": database "${dbText}" must be a non-negative integer. ${form}`, 'invalid-options');
  if (!u.hostname) throw new TirlError(`--queue "${url}" has no host. ${form}`, 'invalid-options');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    display: `redis://${u.hostname}:${port}/${db}`,
  };
}

const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Run ids namespace every key of a run, so several runs share one Redis without seeing each other's jobs. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new TirlError(`--run "${runId}" is not a valid run id: use 1-64 letters, digits, ".", "_" or "-".`, 'invalid-options');
  }
  return runId;
}

/** Redis keys of one run. BullMQ's own keys live under the same prefix. */
export function runKeys(runId: string) {
  const prefix = `tirl:${checkRunId(runId)}`;
  return {
    /** BullMQ prefix: the queue's keys are `${prefix}:rollouts:*`. */
    prefix,
    queue: 'rollouts',
    manifest: `${prefix}:manifest`,
    latestVersion: `${prefix}:weights:latest`,
    weights: (version: number) => `${prefix}:weights:v${version}`,
    workers: `${prefix}:workers`,
    deadLetter: `${prefix}:dead-letter`,
  };
}
