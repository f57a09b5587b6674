import type { DecodeOptions, DecodeResult, PolicySession, Rng } from '@tirl/core';

interface Pending {
  row: number;
  stream: Rng;
  options: DecodeOptions;
  key: string;
  resolve: (r: DecodeResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers the generate requests made in one event-loop turn into batched `session.generate` calls
 * (one per distinct decode options), with one call in flight at a time. Each request samples from its
 * own random stream, named by the caller (`stream`: the trajectory and its turn) and derived from the
 * rollout's seed, so what a row samples does not depend on which rows share its batch: rollouts that
 * advance on their own (trajectory-level asynchrony) sample exactly what turn-synchronous ones do.
 */
export class GenerateBatcher {
  private pending: Pending[] = [];
  private scheduled = false;
  private running = false;
  calls = 0;
  rowsServed = 0;
  private readonly base: Rng;

  constructor(
    private readonly session: PolicySession,
    rng: Rng,
  ) {
    // Forked once, so later draws from the rollout's rng do not change the streams.
    this.base = rng.fork('generate');
  }

  /** `stream` names the request's random stream; requests with the same name draw the same numbers. */
  generate(row: number, options: DecodeOptions, stream: string): Promise<DecodeResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, stream: this.base.fork(stream), options, key: JSON.stringify(options), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const batch = this.pending;
    this.pending = [];
    const groups = new Map<string, Pending[]>();
    for (const p of batch) groups.set(p.key, [...(groups.get(p.key) ?? []), p]);
    for (const group of groups.values()) {
      try {
        this.calls++;
        this.rowsServed += group.length;
        const results = await this.session.generate(
          group.map((p) => p.row),
          group[0].options,
          group.map((p) => p.stream),
        );
        group.forEach((p, i) => p.resolve(results[i]));
      } catch (e) {
        group.forEach((p) => p.reject(e));
      }
    }
    this.running = false;
    if (this.pending.length) this.schedule();
  }
}
