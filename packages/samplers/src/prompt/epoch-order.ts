import type { Rng, Sample } from '@tirl/core';
import { TirlError } from '@tirl/core';
import { restoreRng } from '../util/rng-state';

/** Serialisable state of an {@link EpochOrder}. */
export interface EpochOrderState {
  epoch: number;
  cursor: number;
  order: number[];
  rng: number[];
}

/** Walks a dataset in a fresh seeded permutation each epoch (or in dataset order without shuffling). */
export class EpochOrder {
  private samples: readonly Sample[] = [];
  private order: number[] = [];
  private cursor = 0;
  private epoch = 0;

  constructor(
    private readonly rng: Rng,
    private readonly shuffle: boolean,
    private readonly origin: string,
  ) {}

  setDataset(samples: readonly Sample[]): void {
    if (samples.length === 0) throw new TirlError(`${this.origin}: the dataset is empty; give the sampler at least one sample`, 'invalid-data');
    const keepOrder = this.order.length === samples.length;
    this.samples = samples;
    if (!keepOrder) this.reshuffle();
  }

  next(n: number): Sample[] {
    if (this.samples.length === 0) throw new TirlError(`${this.origin}: next() called before setDataset()`, 'invalid-data');
    const out: Sample[] = [];
    while (out.length < n) {
      if (this.cursor >= this.order.length) {
        this.epoch++;
        this.reshuffle();
      }
      out.push(this.samples[this.order[this.cursor++]]);
    }
    return out;
  }

  get size(): number {
    return this.samples.length;
  }

  state(): EpochOrderState {
    return { epoch: this.epoch, cursor: this.cursor, order: [...this.order], rng: [...this.rng.state()] };
  }

  loadState(state: unknown): void {
    const s = state as Partial<EpochOrderState> | undefined;
    if (!s || !Array.isArray(s.order)) return;
    this.epoch = s.epoch ?? 0;
    this.cursor = s.cursor ?? 0;
    this.order = [...s.order];
    restoreRng(this.rng, s.rng);
  }

  private reshuffle(): void {
    const ids = this.samples.map((_, i) => i);
    this.order = this.shuffle ? this.rng.shuffle(ids) : ids;
    this.cursor = 0;
  }
}
