import { decodeSharedRollout, encodeSharedRollout, type SharedRollout } from './shared-rollout';

/** Counters of what a node received from the swarm. */
export interface SharingStats {
  /** Valid rollouts of other nodes received. */
  received: number;
  /** Messages refused (malformed, foreign protocol, out of bounds). */
  rejected: number;
  /** Received rollouts whose group size differs from this node's, so they cannot form a group here. */
  mismatched: number;
  /** Received rollouts dropped unused because newer ones filled the buffer. */
  dropped: number;
}

/**
 * How a node exchanges decoded rollouts with the swarm (transport-agnostic). `take` returns up to `count`
 * rollouts of other nodes with exactly `groupSize` completions, oldest unused first, each used once.
 */
export interface RolloutSharing {
  publish(rollouts: readonly SharedRollout[]): Promise<void>;
  take(count: number, groupSize: number): Promise<SharedRollout[]>;
  stats(): SharingStats;
  close(): Promise<void>;
}

/**
 * The receiving side shared by every transport: decodes and validates messages, skips the node's own,
 * keeps at most `maxPending` unused rollouts (the newest), and hands them out oldest first.
 */
export class PendingRollouts {
  private readonly pending: SharedRollout[] = [];
  private readonly counts: SharingStats = { received: 0, rejected: 0, mismatched: 0, dropped: 0 };

  constructor(
    private readonly node: string,
    private readonly maxPending: number,
    private readonly onReject: (reason: string) => void,
  ) {}

  add(message: string): void {
    const decoded = decodeSharedRollout(message);
    if ('error' in decoded) {
      this.counts.rejected += 1;
      this.onReject(decoded.error);
      return;
    }
    if (decoded.rollout.node === this.node) return;
    this.counts.received += 1;
    this.pending.push(decoded.rollout);
    while (this.pending.length > this.maxPending) {
      this.pending.shift();
      this.counts.dropped += 1;
    }
  }

  take(count: number, groupSize: number): SharedRollout[] {
    const out: SharedRollout[] = [];
    for (let i = 0; i < this.pending.length && out.length < count; ) {
      const r = this.pending[i];
      if (r.completions.length !== groupSize) {
        this.pending.splice(i, 1);
        this.counts.mismatched += 1;
        continue;
      }
      out.push(r);
      this.pending.splice(i, 1);
    }
    return out;
  }

  get size(): number {
    return this.pending.length;
  }

  stats(): SharingStats {
    return { ...this.counts };
  }
}

/** A swarm inside one process (tests, several nodes of one machine): every node sees every other's messages. */
export class MemorySwarm {
  private readonly members = new Set<PendingRollouts>();

  join(node: string, o: { maxPending?: number; onReject?: (reason: string) => void } = {}): RolloutSharing {
    const inbox = new PendingRollouts(node, o.maxPending ?? 64, o.onReject ?? (() => undefined));
    this.members.add(inbox);
    return {
      publish: async (rollouts) => {
        for (const r of rollouts) {
          const message = encodeSharedRollout(r);
          for (const member of this.members) member.add(message);
        }
      },
      take: async (count, groupSize) => inbox.take(count, groupSize),
      stats: () => inbox.stats(),
      close: async () => void this.members.delete(inbox),
    };
  }

  /** Delivers a raw message to every member, as a faulty or hostile peer would send it. */
  inject(message: string): void {
    for (const member of this.members) member.add(message);
  }
}
