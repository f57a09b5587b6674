import { policyText, type PolicyGenerator, type RolloutOutput, type Sample, type Tokenizer, type Trajectory } from '@tirl/core';
import type { Log } from '../connection';
import { replayPolicy } from './replay-policy';
import type { SharedRollout } from './shared-rollout';
import type { RolloutSharing } from './sharing';

/** The trainer's rollout source interface (`@tirl/trainer`), restated so this package needs no trainer. */
export interface SwarmJob {
  step: number;
  samples: { sample: Sample; rollouts: number }[];
  decode: { maxNewTokens: number };
  limits: { maxTurns: number };
  [key: string]: unknown;
}

export interface SwarmSourceOptions {
  node: string;
  sharing: RolloutSharing;
  /** J: peers' rollout groups added to each sampling round. */
  external: number;
  /** G: completions per group; peers' groups of another size are skipped. */
  groupSize: number;
  /** Rolls out the node's own samples (the trainer's in-process source). */
  local: { run(job: SwarmJob): Promise<RolloutOutput> };
  /** The same rollout strategy driven by a given policy (here: a replay of a peer's completions). */
  replay: (policy: PolicyGenerator) => { run(job: SwarmJob): Promise<RolloutOutput> };
  tokenizer: Tokenizer;
  maxContext: number;
  /** How long a round waits for J peer groups before training with fewer (default 0: take what has arrived). */
  waitMs?: number;
  log?: Log;
}

/**
 * Swarm SAPO (arXiv 2509.08721) as a rollout source: each round the node rolls out its own I samples,
 * publishes their decoded completions with the question and ground truth, then adds J groups taken from
 * other nodes. A peer's group is replayed through this node's rollout strategy and tokenizer (re-tokenised,
 * as the receiver's model reads it) and is scored by this node's rewards with the publisher's ground truth;
 * its old log-probs are this node's (`oldLogProbs: recompute`).
 */
export class SwarmSource {
  private readonly metrics: Record<string, number> = {};

  constructor(private readonly o: SwarmSourceOptions) {}

  async run(job: SwarmJob): Promise<RolloutOutput> {
    const own = await this.o.local.run(job);
    await this.o.sharing.publish(shareable(this.o.node, job.step, job.samples, own));
    const peers = await this.takePeers();
    const samples: Sample[] = [];
    const trees = [...own.trees];
    for (const peer of peers) {
      const sample: Sample = { ...peer.sample, id: `${peer.node}/${peer.round}/${peer.sample.id}`, meta: { ...peer.sample.meta, sharedBy: peer.node } };
      const replayed = await this.o.replay(replayPolicy(this.o.tokenizer, this.o.maxContext, peer.completions)).run({
        ...job,
        samples: [{ sample, rollouts: peer.completions.length }],
        limits: { ...job.limits, maxTurns: 1 },
      });
      for (const tree of replayed.trees) for (const t of tree.trajectories) t.meta = { ...t.meta, sharedBy: peer.node };
      trees.push(...replayed.trees);
      samples.push(sample);
    }
    const stats = this.o.sharing.stats();
    return {
      trees,
      samples,
      metrics: {
        ...own.metrics,
        'swarm/local_groups': job.samples.length,
        'swarm/external_groups': peers.length,
        'swarm/external_missing': this.o.external - peers.length,
        'swarm/received_total': stats.received,
        'swarm/rejected_total': stats.rejected,
        'swarm/mismatched_total': stats.mismatched,
        'swarm/dropped_total': stats.dropped,
      },
    };
  }

  async publish(): Promise<Record<string, number>> {
    return {};
  }

  async close(): Promise<void> {
    await this.o.sharing.close();
  }

  private async takePeers(): Promise<SharedRollout[]> {
    const got = await this.o.sharing.take(this.o.external, this.o.groupSize);
    const deadline = Date.now() + (this.o.waitMs ?? 0);
    while (got.length < this.o.external && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      got.push(...(await this.o.sharing.take(this.o.external - got.length, this.o.groupSize)));
    }
    return got;
  }
}

/** The node's own groups as the swarm sees them: question, ground truth, and each root's decoded answer. */
export function shareable(node: string, step: number, samples: readonly { sample: Sample }[], out: RolloutOutput): SharedRollout[] {
  const roots = out.trees.flatMap((t) => t.trajectories).filter((t) => t.parentId === undefined);
  const bySample = new Map<string, Trajectory[]>();
  for (const t of roots) bySample.set(t.sampleId, [...(bySample.get(t.sampleId) ?? []), t]);
  return samples
    .filter(({ sample }) => bySample.has(sample.id))
    .map(({ sample }) => ({ node, round: step, sample, completions: bySample.get(sample.id)!.map(policyText) }));
}
