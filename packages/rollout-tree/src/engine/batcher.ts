import type { DecodeOptions, DecodeResult, PolicySession, Rng } from '@tirl/core';

interface Pending {
  row: number;
  options: DecodeOptions;
  key: string;
  resolve: (r: DecodeResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers the generate requests made in one event-loop turn into batched `session.generate` calls
 * (one per distinct decode options), with one call in flight at a time. Rollouts that reach their
 * generate step together are therefore decoded together, in request order, which keeps seeded runs
 * reproducible; sub-rollouts that start later batch among themselves.
 */
export class GenerateBatcher {
  private pending: Pending[] = [];
  private scheduled = false;
  private running = false;
  calls = 0;
  rowsServed = 0;

  constructor(
    private readonly session: PolicySession,
    private readonly rng: Rng,
  ) {}

  generate(row: number, options: DecodeOptions): Promise<DecodeResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, options, key: JSON.stringify(options), resolve, reject });
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
          this.rng,
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
