/** Serialisable state of an {@link Rng}: four 32-bit words. */
export type RngState = [number, number, number, number];

/**
 * Seeded random numbers (sfc32), used wherever tirl draws randomness, so a seeded run is reproducible
 * and its state can be checkpointed. `fork(label)` derives an independent stream without advancing this one.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number | string | RngState = 0) {
    this.s = new Uint32Array(4);
    if (Array.isArray(seed)) this.s.set(seed);
    else {
      let h = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
      for (let i = 0; i < 4; i++) this.s[i] = h = splitmix32(h + i * 0x9e3779b9);
      for (let i = 0; i < 12; i++) this.nextUint32();
    }
  }

  nextUint32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = (s[2] << 21) | (s[2] >>> 11);
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** An independent stream named by `label`; this stream does not advance. */
  fork(label: string | number): Rng {
    const h = hashString(`${this.s.join(',')}|${label}`);
    return new Rng(h);
  }

  /** A 32-bit seed drawn from this stream (for libraries that take an integer seed). */
  seed(): number {
    return this.nextUint32();
  }

  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(state: RngState): void {
    this.s.set(state);
  }
}

function splitmix32(a: number): number {
  a = (a + 0x9e3779b9) >>> 0;
  let z = a;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
