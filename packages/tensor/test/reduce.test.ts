import {
  argmax,
  argmin,
  logsumexp,
  max,
  mean,
  min,
  prod,
  std,
  sum,
  tensor,
  ValueError,
  variance,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';

const x = tensor([
  [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ],
  [
    [-1, -2, -3, -4],
    [0, 0, 0, 0],
    [2, 4, 6, 8],
  ],
]);

describe('reductions', () => {
  it('sum over all, one axis, several axes, keepDims', () => {
    expect(sum(x).item()).toBe(78 + -10 + 20);
    expect(sum(x, 0).arraySync()).toEqual([
      [0, 0, 0, 0],
      [5, 6, 7, 8],
      [11, 14, 17, 20],
    ]);
    expect(sum(x, [0, 2]).arraySync()).toEqual([0, 26, 62]);
    expect(sum(x, -1, true).shape).toEqual([2, 3, 1]);
    expect(sum(x, [1, 2], true).arraySync()).toEqual([[[78]], [[10]]]);
  });

  it('max/min/prod/mean over axes', () => {
    expect(max(x, 2).arraySync()).toEqual([
      [4, 8, 12],
      [-1, 0, 8],
    ]);
    expect(min(x, [0, 1]).arraySync()).toEqual([-1, -2, -3, -4]);
    expect(prod(tensor([1, 2, 3, 4])).item()).toBe(24);
    expect((mean(x, 1).arraySync() as number[][])[0]).toEqual([5, 6, 7, 8]);
  });

  it('argmax/argmin give int32 indices and the first of ties', () => {
    const t = tensor([
      [3, 7, 7],
      [2, 2, 1],
    ]);
    expect(argmax(t, 1).dtype).toBe('int32');
    expect(Array.from(argmax(t, 1).dataSync())).toEqual([1, 0]);
    expect(Array.from(argmin(t, 1).dataSync())).toEqual([0, 2]);
    expect(argmax(t).item()).toBe(1);
  });

  it('variance and std are unbiased by default, population with correction 0', () => {
    const t = tensor([1, 2, 3, 4]);
    expect(variance(t).item()).toBeCloseTo(5 / 3, 6);
    expect(variance(t, null, { correction: 0 }).item()).toBeCloseTo(1.25, 6);
    expect(std(t).item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
  });

  it('logsumexp is stable for large values and -inf rows', () => {
    const t = tensor([
      [1000, 1000],
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ]);
    const y = logsumexp(t, 1).dataSync();
    expect(y[0]).toBeCloseTo(1000 + Math.log(2), 3);
    expect(y[1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reduces a 0-d tensor to itself', () => {
    const s = tensor(3);
    expect(sum(s, 0).item()).toBe(3);
    expect(max(s, -1).shape).toEqual([]);
    expect(argmax(tensor(5), 0).item()).toBe(0);
  });

  it('rejects bad axes with the op name', () => {
    expect(() => sum(x, 3)).toThrow(ValueError);
    expect(() => sum(x, 3)).toThrow('sum: axis 3 is out of range for a tensor of rank 3');
    expect(() => sum(x, [1, 1])).toThrow('sum: repeated axis in [1, 1]');
  });
});
