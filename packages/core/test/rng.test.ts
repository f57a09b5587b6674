import { Rng } from '../src';

describe('Rng', () => {
  it('is reproducible from a seed and from a saved state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    const state = a.state();
    const next = Array.from({ length: 5 }, () => a.next());
    const c = new Rng(0);
    c.setState(state);
    expect(Array.from({ length: 5 }, () => c.next())).toEqual(next);
    expect(new Rng(43).next()).not.toBe(first[0]);
  });

  it('forks independent streams without advancing the parent', () => {
    const a = new Rng(1);
    const s = a.state();
    const f1 = a.fork('sampler').next();
    expect(a.state()).toEqual(s);
    expect(a.fork('sampler').next()).toBe(f1);
    expect(a.fork('rollout').next()).not.toBe(f1);
  });

  it('draws uniform numbers with the right mean and integers in range', () => {
    const r = new Rng(7);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.next();
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[r.int(3)]++;
    counts.forEach((c) => expect(Math.abs(c - 1000)).toBeLessThan(100));
    expect(() => r.int(0)).toThrow('Rng.int: n must be a positive integer, got 0');
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
  });
});
