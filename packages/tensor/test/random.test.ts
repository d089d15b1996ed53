import { bernoulli, Generator, manualSeed, mean, rand, randint, randn, std, tensor } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('seeded randomness', () => {
  it('the same seed gives the same numbers; successive draws differ', () => {
    manualSeed(42);
    const a1 = randn([1000]).dataSync();
    const a2 = rand([10]).dataSync();
    manualSeed(42);
    expect(randn([1000]).dataSync()).toEqual(a1);
    expect(rand([10]).dataSync()).toEqual(a2);
    manualSeed(43);
    expect(randn([1000]).dataSync()).not.toEqual(a1);
  });

  it('an explicit generator is independent of the default one', () => {
    const g1 = new Generator(7);
    const g2 = new Generator(7);
    manualSeed(1);
    const x = rand([5], { generator: g1 }).dataSync();
    rand([100]);
    expect(rand([5], { generator: g2 }).dataSync()).toEqual(x);
  });

  it('has the right moments and ranges', () => {
    manualSeed(0);
    const n = randn([20000]);
    expect(Math.abs(mean(n).item())).toBeLessThan(0.03);
    expect(Math.abs(std(n).item() - 1)).toBeLessThan(0.03);
    const u = rand([20000]).dataSync();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(Array.from(u).reduce((s, v) => s + v, 0) / u.length - 0.5)).toBeLessThan(0.01);
  });

  it('randint covers [low, high) uniformly; bernoulli follows p', () => {
    manualSeed(3);
    const r = randint(-2, 3, [10000]);
    expect(r.dtype).toBe('int32');
    const counts = new Map<number, number>();
    for (const v of r.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    for (const c of counts.values()) expect(Math.abs(c - 2000)).toBeLessThan(200);
    const b = bernoulli(0.3, [10000]);
    expect(Math.abs(mean(b).item() - 0.3)).toBeLessThan(0.02);
    const bp = bernoulli(tensor([0, 1, 0, 1])).dataSync();
    expect(Array.from(bp)).toEqual([0, 1, 0, 1]);
  });

  it('rejects bad arguments', () => {
    expect(() => manualSeed(1.5)).toThrow('manualSeed: the seed must be an integer');
    expect(() => randint(3, 3, [1])).toThrow(/randint/);
    expect(() => bernoulli(1.5, [2])).toThrow(/bernoulli/);
    expect(() => rand([2], { dtype: 'int32' })).toThrow(/rand: dtype must be float32 or float64/);
  });
});
