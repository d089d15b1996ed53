import {
  avgPool2d,
  DTypeError,
  full,
  Generator,
  globalAvgPool2d,
  maxPool2d,
  maxPool2dWithIndices,
  mean,
  minPool2d,
  neg,
  randn,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { iota } from './helpers';

const gen = new Generator(5);
const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });
const values = (t: Tensor) => [...t.dataSync()];

describe('maxPool2d / maxPool2dWithIndices', () => {
  it('takes the max of each window with its flat h * W + w index (hand-computed)', () => {
    // x[h, w] = 4h + w: each 2×2 window's max is its bottom-right cell, whose value is its index.
    const { values: y, indices } = maxPool2dWithIndices(iota([1, 1, 4, 4]), { kernelSize: 2 });
    expect(y.arraySync()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
    expect(indices.dtype).toBe('int32');
    expect(indices.arraySync()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
    expect(maxPool2d(iota([1, 1, 4, 4]), { kernelSize: 2 }).arraySync()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
  });

  it('indexes within each plane, for every image and channel', () => {
    // Plane p holds 16p + (4h + w); the winners' indices are the same in every plane.
    const { values: y, indices } = maxPool2dWithIndices(iota([2, 3, 4, 4]), { kernelSize: 2 });
    expect(y.shape).toEqual([2, 3, 2, 2]);
    const yv = values(y);
    const iv = values(indices);
    for (let p = 0; p < 6; p++) {
      expect(iv.slice(4 * p, 4 * p + 4)).toEqual([5, 7, 13, 15]);
      expect(yv.slice(4 * p, 4 * p + 4)).toEqual([5, 7, 13, 15].map((v) => v + 16 * p));
    }
  });

  it('keeps the first cell on ties, as torch does', () => {
    const { indices } = maxPool2dWithIndices(zeros([1, 1, 4, 4]), { kernelSize: 2 });
    expect(indices.arraySync()).toEqual([
      [
        [
          [0, 2],
          [8, 10],
        ],
      ],
    ]);
  });

  it('never lets padding win, even when every value is negative', () => {
    // x = −1 − (4h + w); 3×3 windows, stride 2, padding 1: the max is the window's top-left real cell.
    const x = neg(iota([1, 1, 4, 4]).add(1));
    const { values: y, indices } = maxPool2dWithIndices(x, { kernelSize: 3, stride: 2, padding: 1 });
    expect(y.arraySync()).toEqual([
      [
        [
          [-1, -2],
          [-5, -6],
        ],
      ],
    ]);
    expect(indices.arraySync()).toEqual([
      [
        [
          [0, 1],
          [4, 5],
        ],
      ],
    ]);
  });

  it('uses the kernel size as default stride, and strides / pads per axis', () => {
    const x = iota([1, 1, 5, 7]);
    expect(maxPool2d(x, { kernelSize: [2, 3] }).shape).toEqual([1, 1, 2, 2]);
    const y = maxPool2d(x, { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] });
    expect(y.shape).toEqual([1, 1, 3, 6]);
    // Row windows are rows {0, 1}, {1, 2, 3}, {3, 4}; column windows are {j, j + 1}.
    expect(values(y).slice(0, 6)).toEqual([8, 9, 10, 11, 12, 13]);
  });

  it('propagates NaN, as torch does', () => {
    const x = tensor([1, Number.NaN, 3, 2], { shape: [1, 1, 2, 2] });
    const { values: y, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
    expect(Number.isNaN(y.item())).toBe(true);
    expect(indices.item()).toBe(1);
  });

  it('works on int32 images', () => {
    const y = maxPool2d(iota([1, 1, 4, 4], 'int32'), { kernelSize: 2 });
    expect(y.dtype).toBe('int32');
    expect(values(y)).toEqual([5, 7, 13, 15]);
  });
});

describe('minPool2d', () => {
  it('takes the min of each window; padding never wins', () => {
    expect(minPool2d(iota([1, 1, 4, 4]), { kernelSize: 2 }).arraySync()).toEqual([
      [
        [
          [0, 2],
          [8, 10],
        ],
      ],
    ]);
    // All values positive: a padded zero would win if padding took part.
    const y = minPool2d(iota([1, 1, 4, 4]).add(1), { kernelSize: 3, stride: 2, padding: 1 });
    expect(y.arraySync()).toEqual([
      [
        [
          [1, 2],
          [5, 6],
        ],
      ],
    ]);
  });
});

describe('avgPool2d', () => {
  it('averages each window (hand-computed)', () => {
    // 2×2 windows of 4h + w average to 4h + w + 2.5 at their top-left cell.
    expect(avgPool2d(iota([1, 1, 4, 4]), { kernelSize: 2 }).arraySync()).toEqual([
      [
        [
          [2.5, 4.5],
          [10.5, 12.5],
        ],
      ],
    ]);
  });

  it('of a constant is the constant when padding is excluded, and shrinks at the border when included', () => {
    const x = full([2, 3, 5, 5], 3, 'float64');
    const exclude = avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false });
    expect(values(exclude).every((v) => v === 3)).toBe(true);
    // Included (torch's default): a corner window has 4 real cells of 9, an edge window 6.
    const include = avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 });
    expect(include.shape).toEqual([2, 3, 3, 3]);
    const plane = values(include).slice(0, 9);
    const [c, e, m] = [(3 * 4) / 9, (3 * 6) / 9, 3];
    expect(plane.map((v) => Math.round(v * 1e9) / 1e9)).toEqual(
      [c, e, c, e, m, e, c, e, c].map((v) => Math.round(v * 1e9) / 1e9),
    );
  });

  it('globalAvgPool2d is the mean over H and W', () => {
    const x = r([2, 3, 4, 5]);
    const y = globalAvgPool2d(x);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    const want = values(mean(x, [2, 3]));
    values(y).forEach((v, i) => {
      expect(Math.abs(v - want[i])).toBeLessThan(1e-12);
    });
  });
});

describe('pooling errors', () => {
  const x = zeros([1, 1, 4, 4]);
  it('names the op and the offending values', () => {
    expect(() => maxPool2d(zeros([4, 4]), { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => maxPool2d(zeros([4, 4]), { kernelSize: 2 })).toThrow(
      'maxPool2d: expected x of rank 4 [N, C, H, W], got [4, 4]',
    );
    expect(() => maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(
      'maxPool2d: padding [2, 2] must be at most half of kernelSize [2, 2]',
    );
    expect(() => avgPool2d(x, { kernelSize: 5 })).toThrow(ShapeError);
    expect(() => avgPool2d(x, { kernelSize: 5 })).toThrow(/^avgPool2d: output would be 0×0/);
    expect(() => minPool2d(x, { kernelSize: 0 })).toThrow(
      /^minPool2d: expected kernelSize to be an integer >= 1/,
    );
    expect(() => maxPool2dWithIndices(x, { kernelSize: 2, stride: [1, 0] })).toThrow(ValueError);
    expect(() => avgPool2d(zeros([1, 1, 4, 4], 'int32'), { kernelSize: 2 })).toThrow(DTypeError);
    expect(() => maxPool2d(zeros([1, 1, 4, 4], 'bool'), { kernelSize: 2 })).toThrow(DTypeError);
    expect(() => globalAvgPool2d(zeros([2, 3]))).toThrow(
      'globalAvgPool2d: expected x of rank 4 [N, C, H, W], got [2, 3]',
    );
    expect(() => maxPool2d(x, undefined as never)).toThrow(
      'maxPool2d: expected an options object with kernelSize, got undefined',
    );
  });
});
