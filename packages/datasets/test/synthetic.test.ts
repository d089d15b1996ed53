import { Generator, manualSeed } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { blobs, sineWindows, spirals, xor } from '../src';

describe('xor', () => {
  it('is the four points and their parity', () => {
    const ds = xor();
    expect(ds.x.shape).toEqual([4, 2]);
    expect(ds.y.shape).toEqual([4, 1]);
    expect(ds.x.arraySync()).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(Array.from(ds.y.dataSync())).toEqual([0, 1, 1, 0]);
    expect(ds.y.dtype).toBe('float32');
  });
});

describe('spirals', () => {
  it('has perClass points per arm on the unit disc; noise 0 is exact', () => {
    const ds = spirals({ perClass: 50, classes: 3 });
    expect(ds.x.shape).toEqual([150, 2]);
    expect(ds.y.dtype).toBe('int32');
    const y = Array.from(ds.y.dataSync());
    for (let c = 0; c < 3; c++) expect(y.filter((v) => v === c)).toHaveLength(50);
    const x = ds.x.dataSync();
    // Point i of arm j lies at radius i / 49 and angle 4j + 4r.
    const j = 2;
    const i = 30;
    const r = i / 49;
    expect(x[2 * (50 * j + i)]).toBeCloseTo(r * Math.sin(4 * j + 4 * r), 6);
    expect(x[2 * (50 * j + i) + 1]).toBeCloseTo(r * Math.cos(4 * j + 4 * r), 6);
    expect(spirals().x.shape).toEqual([200, 2]);
  });

  it('is deterministic per seed, and the noise changes it', () => {
    const a = spirals({ noise: 0.2, seed: 1 }).x.dataSync();
    expect(spirals({ noise: 0.2, seed: 1 }).x.dataSync()).toEqual(a);
    expect(spirals({ noise: 0.2, generator: new Generator(1) }).x.dataSync()).toEqual(a);
    expect(spirals({ noise: 0.2, seed: 2 }).x.dataSync()).not.toEqual(a);
    expect(spirals({ noise: 0, seed: 1 }).x.dataSync()).not.toEqual(a);
    manualSeed(4);
    const b = spirals({ noise: 0.2 }).x.dataSync();
    manualSeed(4);
    expect(spirals({ noise: 0.2 }).x.dataSync()).toEqual(b);
    expect(() => spirals({ perClass: 0 })).toThrow(
      /spirals: expected perClass to be a positive integer, got number 0/,
    );
    expect(() => spirals({ noise: -1 })).toThrow(
      /spirals: expected noise to be a finite number >= 0, got number -1/,
    );
  });
});

describe('blobs', () => {
  it('draws balanced blobs around the given centers with the given spread', () => {
    const centers = [
      [-5, 0],
      [5, 5],
    ];
    const ds = blobs({ n: 4000, centers, std: [0.5, 2], seed: 0 });
    expect(ds.x.shape).toEqual([4000, 2]);
    const x = ds.x.dataSync();
    const y = ds.y.dataSync();
    for (let c = 0; c < 2; c++) {
      const pts: number[][] = [];
      for (let i = 0; i < 4000; i++) if (y[i] === c) pts.push([x[2 * i], x[2 * i + 1]]);
      expect(pts).toHaveLength(2000);
      for (let f = 0; f < 2; f++) {
        const m = pts.reduce((s, p) => s + p[f], 0) / pts.length;
        const sd = Math.sqrt(pts.reduce((s, p) => s + (p[f] - m) ** 2, 0) / pts.length);
        expect(m).toBeCloseTo(centers[c][f], 0);
        expect(sd).toBeGreaterThan([0.5, 2][c] * 0.9);
        expect(sd).toBeLessThan([0.5, 2][c] * 1.1);
      }
    }
  });

  it('random centers: deterministic per seed, inside the box', () => {
    const a = blobs({ n: 30, centers: 3, std: 0, features: 4, seed: 9 });
    expect(a.x.shape).toEqual([30, 4]);
    const xa = a.x.dataSync();
    expect(blobs({ n: 30, centers: 3, std: 0, features: 4, seed: 9 }).x.dataSync()).toEqual(xa);
    expect(blobs({ n: 30, centers: 3, std: 0, features: 4, seed: 10 }).x.dataSync()).not.toEqual(xa);
    for (const v of xa) expect(Math.abs(v)).toBeLessThanOrEqual(10);
    // std 0: every point of a blob is its center.
    expect(Array.from(xa.subarray(0, 4))).toEqual(Array.from(xa.subarray(12, 16)));
    expect(() => blobs({ n: 10, centers: [[0, 0], [1]] })).toThrow(
      /blobs: center 1 must be 2 finite numbers/,
    );
    expect(() => blobs({ n: 10, centers: 2, std: [1] })).toThrow(
      /std has 1 entries, expected one per center \(2\)/,
    );
    expect(() => blobs({ n: 0, centers: 2 })).toThrow(/blobs: expected n to be a positive integer/);
  });
});

describe('sineWindows', () => {
  it('makes windows of sin(step t) and the next value', () => {
    const ds = sineWindows();
    expect(ds.x.shape).toEqual([990, 10, 1]);
    expect(ds.y.shape).toEqual([990, 1]);
    const small = sineWindows({ length: 20, window: 5, step: 0.3 });
    expect(small.x.shape).toEqual([15, 5, 1]);
    const x = small.x.dataSync();
    const y = small.y.dataSync();
    for (let i = 0; i < 15; i++) {
      for (let w = 0; w < 5; w++) expect(x[i * 5 + w]).toBeCloseTo(Math.sin(0.3 * (i + w)), 6);
      expect(y[i]).toBeCloseTo(Math.sin(0.3 * (i + 5)), 6);
      // The target is the next window's last value.
      if (i < 14) expect(y[i]).toBe(x[(i + 1) * 5 + 4]);
    }
    expect(() => sineWindows({ length: 10, window: 10 })).toThrow(
      /sineWindows: length \(10\) must exceed window \(10\)/,
    );
    expect(() => sineWindows({ step: 0 })).toThrow(/step must be a positive number, got 0/);
  });
});
