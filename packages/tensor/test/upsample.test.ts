import {
  arange,
  DTypeError,
  Generator,
  randn,
  reshape,
  ShapeError,
  type Tensor,
  tensor,
  upsample,
  ValueError,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';

const values = (t: Tensor) => [...t.dataSync()];
const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - b[i])).toBeLessThan(1e-12);
  });
};
const x22 = () => tensor([0, 1, 2, 3], { shape: [1, 1, 2, 2], dtype: 'float64' });

describe('upsample, nearest', () => {
  it('repeats pixels for an integer scale factor', () => {
    expect(upsample(x22(), { scaleFactor: 2 }).arraySync()).toEqual([
      [
        [
          [0, 0, 1, 1],
          [0, 0, 1, 1],
          [2, 2, 3, 3],
          [2, 2, 3, 3],
        ],
      ],
    ]);
  });

  it('reads floor(dst · in / out) for any size, up or down', () => {
    // 2 → 3: sources [0, 0, 1]; 5 → 2: sources [0, 2].
    expect(upsample(x22(), { size: [3, 3] }).arraySync()).toEqual([
      [
        [
          [0, 0, 1],
          [0, 0, 1],
          [2, 2, 3],
        ],
      ],
    ]);
    const row = reshape(arange(0, 5, 1, 'float64'), [1, 1, 1, 5]);
    expect(values(upsample(row, { size: [1, 2] }))).toEqual([0, 2]);
    expect(values(upsample(row, { scaleFactor: [1, 0.5] }))).toEqual([0, 2]);
  });

  it('works on int32 and keeps images and channels apart', () => {
    const x = reshape(arange(0, 8, 1, 'int32'), [2, 2, 1, 2]);
    const y = upsample(x, { scaleFactor: [1, 2] });
    expect(y.dtype).toBe('int32');
    expect(values(y)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]);
  });
});

describe('upsample, bilinear', () => {
  it('alignCorners true maps corners onto corners', () => {
    const y = upsample(x22(), { size: [3, 3], mode: 'bilinear', alignCorners: true });
    close(values(y), [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });

  it('alignCorners false maps pixel centres and clamps negative source coordinates to 0', () => {
    // 2 → 4: src = (dst + 0.5) / 2 − 0.5 = [−0.25 → 0, 0.25, 0.75, 1.25 (beyond the last pixel)].
    const x = tensor([0, 1], { shape: [1, 1, 1, 2], dtype: 'float64' });
    close(values(upsample(x, { scaleFactor: [1, 2], mode: 'bilinear' })), [0, 0.25, 0.75, 1]);
    // 4 → 2: src = (dst + 0.5) · 2 − 0.5 = [0.5, 2.5].
    const row = tensor([0, 1, 2, 3], { shape: [1, 1, 1, 4], dtype: 'float64' });
    close(values(upsample(row, { size: [1, 2], mode: 'bilinear' })), [0.5, 2.5]);
    close(values(upsample(row, { size: [1, 2], mode: 'bilinear', alignCorners: true })), [0, 3]);
  });

  it('interpolates separably in H and W (hand-computed 2 → 4 in both)', () => {
    const y = values(upsample(x22(), { scaleFactor: 2, mode: 'bilinear' }));
    const axis = [0, 0.25, 0.75, 1];
    const want: number[] = [];
    for (const a of axis) for (const b of axis) want.push(2 * a + b);
    close(y, want);
  });

  it('is the identity at the same size, in both modes', () => {
    const x = randn([2, 3, 4, 5], { dtype: 'float64', generator: new Generator(3) });
    for (const alignCorners of [false, true]) {
      close(values(upsample(x, { size: [4, 5], mode: 'bilinear', alignCorners })), values(x));
    }
    close(values(upsample(x, { scaleFactor: 1 })), values(x));
  });
});

describe('upsample errors', () => {
  const x = zeros([1, 1, 2, 2]);
  it('names upsample and the offending values', () => {
    expect(() => upsample(zeros([2, 2]), { scaleFactor: 2 })).toThrow(ShapeError);
    expect(() => upsample(zeros([2, 2]), { scaleFactor: 2 })).toThrow(
      'upsample: expected x of rank 4 [N, C, H, W], got [2, 2]',
    );
    expect(() => upsample(x, {})).toThrow(
      'upsample: expected exactly one of size and scaleFactor, got neither',
    );
    expect(() => upsample(x, { size: [4, 4], scaleFactor: 2 })).toThrow(
      'upsample: expected exactly one of size and scaleFactor, got both',
    );
    expect(() => upsample(x, { size: [0, 4] })).toThrow(
      /^upsample: expected size to be two integers >= 1 \[H, W\], got \[0, 4\]/,
    );
    expect(() => upsample(x, { scaleFactor: -1 })).toThrow(ValueError);
    expect(() => upsample(x, { scaleFactor: 0.25 })).toThrow(ShapeError);
    expect(() => upsample(x, { scaleFactor: 2, alignCorners: true })).toThrow(
      "upsample: alignCorners can only be set with mode 'bilinear'",
    );
    expect(() => upsample(x, { scaleFactor: 2, mode: 'bicubic' as never })).toThrow(
      /^upsample: expected mode/,
    );
    expect(() => upsample(zeros([1, 1, 2, 2], 'int32'), { scaleFactor: 2, mode: 'bilinear' })).toThrow(
      DTypeError,
    );
  });
});
