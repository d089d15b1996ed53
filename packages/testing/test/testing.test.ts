import { describe, expect, it } from 'vitest';
import {
  compareClose,
  expectClose,
  expectError,
  expectGradientsOk,
  numel,
  seededInts,
  seededRandom,
  seededValues,
  settleAfterGC,
  shapeOf,
  valuesOf,
} from '../src';

/** A stand-in for a Tensor: only `dataSync()` and `shape`. */
const fake = (data: number[], shape: number[]) => ({ dataSync: () => Float32Array.from(data), shape });

describe('expectClose', () => {
  it('passes within rtol/atol and names the worst element, its index, got and expected otherwise', () => {
    expectClose([1, 2, 3], [1, 2, 3 + 1e-6]);
    expectClose(fake([1, 2, 3, 4], [2, 2]), [1, 2, 3, 4]);
    expectClose([1.1], [1], { rtol: 0.2 });
    expect(() => expectClose(fake([0, 0, 0, 5.5], [2, 2]), [0, 0, 0, 5], { atol: 0.1, rtol: 0 })).toThrow(
      'expectClose: values: 1 of 4 elements out of tolerance (rtol 0, atol 0.1); worst is element 3 (index [1, 1] of shape [2, 2]): got 5.5, expected 5',
    );
    expect(() => expectClose([1, 2.5, 3.2], [1, 2, 3], { what: 'weights' })).toThrow(
      /weights: 2 of 3 elements .* worst is element 1: got 2.5, expected 2/,
    );
  });

  it('takes a number of digits as toBeCloseTo does', () => {
    expectClose([0.123456], [0.123451], 5);
    expect(() => expectClose([0.1235], [0.1234], 5)).toThrow(/5 digits/);
  });

  it('checks lengths, and shapes when both sides have them', () => {
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow('got 2 elements, expected 3');
    expect(() => expectClose(fake([1, 2], [1, 2]), fake([1, 2], [2, 1]))).toThrow(
      'got shape [1, 2], expected [2, 1]',
    );
    expectClose(
      [
        [1, 2],
        [3, 4],
      ],
      [1, 2, 3, 4],
    );
  });

  it('treats NaN as a failure unless equalNaN, and equal infinities as equal', () => {
    expect(() => expectClose([Number.NaN], [Number.NaN])).toThrow(/got NaN/);
    expectClose([Number.NaN], [Number.NaN], { equalNaN: true });
    expectClose([Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY]);
    expect(() => expectClose([Number.POSITIVE_INFINITY], [1])).toThrow(/got Infinity, expected 1/);
    expect(compareClose([1, Number.NaN], [1, 2]).index).toBe(1);
  });
});

describe('values and shapes', () => {
  it('reads numbers, nested arrays, typed arrays and tensor-likes', () => {
    expect(valuesOf(3)).toEqual([3]);
    expect(valuesOf([[1, 2], [3]])).toEqual([1, 2, 3]);
    expect(valuesOf(Int32Array.of(1, 2))).toEqual([1, 2]);
    expect(valuesOf({ dataSync: () => Uint8Array.of(1, 0), shape: [2] })).toEqual([1, 0]);
    expect(shapeOf([[1, 2, 3]])).toEqual([1, 3]);
    expect(shapeOf(fake([1, 2, 3, 4, 5, 6], [3, 2]))).toEqual([3, 2]);
    expect(numel([2, 3, 4])).toBe(24);
    expect(numel([])).toBe(1);
  });
});

describe('seeded inputs', () => {
  it('gives the same values for the same seed, different ones for another, within [lo, hi)', () => {
    const a = seededValues(1000, 7);
    expect(seededValues(1000, 7)).toEqual(a);
    expect(seededValues(1000, 8)).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a)).toBeLessThan(1);
    const b = seededValues(500, 1, { lo: 2, hi: 3 });
    expect(Math.min(...b)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...b)).toBeLessThan(3);
    // mulberry32's first output for seed 1 (a fixed point: the sequence must never change).
    expect(seededRandom(1)()).toBeCloseTo(0.6270739405881613, 15);
    const ints = seededInts(200, 3, 0, 10);
    expect(ints.every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    expect(new Set(ints).size).toBe(10);
  });
});

describe('expectGradientsOk', () => {
  it("throws with the checker's message", () => {
    expectGradientsOk({ ok: true });
    expect(() =>
      expectGradientsOk({ ok: false, message: 'input 0, element 2: analytic 1, numeric 2' }),
    ).toThrow('gradient check failed: input 0, element 2: analytic 1, numeric 2');
  });
});

describe('expectError', () => {
  class ShapeError extends Error {}
  const bad = () => {
    throw new ShapeError('matmul: expected [2, 3] and [3, 4], got [2, 3] and [4, 4]');
  };
  it('returns the error when class, op prefix and parts match', () => {
    expect(expectError(bad, ShapeError, 'matmul', '[4, 4]').message).toContain('got');
  });
  it('fails on another class, another op, a missing part, or no throw', () => {
    expect(() => expectError(bad, TypeError, 'matmul')).toThrow('expected TypeError from matmul');
    expect(() => expectError(bad, ShapeError, 'conv2d')).toThrow("start with 'conv2d: '");
    expect(() => expectError(bad, ShapeError, 'matmul', '[5, 5]')).toThrow("contain '[5, 5]'");
    expect(() => expectError(() => 1, ShapeError, 'matmul')).toThrow('got undefined');
  });
});

describe('settleAfterGC', () => {
  it('lets a FinalizationRegistry see an object that became unreachable', async () => {
    let finalized = 0;
    const registry = new FinalizationRegistry(() => {
      finalized++;
    });
    (() => {
      registry.register({ big: new Array(1000).fill(0) }, 'x');
    })();
    expect(await settleAfterGC(() => finalized)).toBe(1);
  });
});
