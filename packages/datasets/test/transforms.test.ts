import { DTypeError, ShapeError, tensor } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { describe, expect, it } from 'vitest';
import { flattenImages, mnist, normalize, oneHot, standardize } from '../src';

/** The shared `expectClose` (@axon/testing), to 5 decimal digits as `toBeCloseTo`. */
const close = (a: ArrayLike<number>, b: number[]) => expectClose(a, b, 5);

describe('transforms', () => {
  it('normalize: scalar and per-channel constants', () => {
    close(normalize(tensor([0, 0.5, 1]), 0.5, 0.25).dataSync(), [-2, 0, 2]);
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [1, 2, 2, 2] });
    close(normalize(x, [2, 6], [1, 2]).dataSync(), [-1, 0, 1, 2, -0.5, 0, 0.5, 1]);
    expect(() => normalize(x, [1, 2, 3], 1)).toThrow(
      /normalize: 3 per-channel mean values need x with 3 channels on axis 1, got x \[1, 2, 2, 2\]/,
    );
    expect(() => normalize(x, 0, 0)).toThrow(/normalize: std must be finite and non-zero, got 0/);
    // Integer input comes back float32.
    expect(normalize(tensor([2, 4], 'int32'), 1, 2).dtype).toBe('float32');
  });

  it('normalize on MNIST with the usual constants gives mean ~0, std ~1', async () => {
    const ds = await mnist('test', { limit: 2000 });
    const z = normalize(ds.x, 0.1307, 0.3081).dataSync();
    let m = 0;
    for (const v of z) m += v;
    m /= z.length;
    let s = 0;
    for (const v of z) s += (v - m) ** 2;
    s = Math.sqrt(s / z.length);
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(s - 1)).toBeLessThan(0.05);
  });

  it('standardize: over everything, or per feature along an axis', () => {
    close(standardize(tensor([1, 2, 3, 4])).dataSync(), [-1.3416408, -0.4472136, 0.4472136, 1.3416408]);
    const x = tensor([
      [1, 10],
      [3, 10],
      [5, 10],
    ]);
    // Column 0 has mean 3 and population std sqrt(8/3); column 1 is constant, so only centred.
    const s = Math.sqrt(8 / 3);
    close(standardize(x, 0).dataSync(), [-2 / s, 0, 0, 0, 2 / s, 0]);
    expect(standardize(x, 0).shape).toEqual([3, 2]);
    close(standardize(tensor([1, 3], 'int32')).dataSync(), [-1, 1]);
  });

  it('oneHot: int32 classes to float32 rows', () => {
    const h = oneHot(tensor([2, 0, 1], 'int32'), 4);
    expect(h.shape).toEqual([3, 4]);
    expect(h.dtype).toBe('float32');
    expect(h.arraySync()).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    expect(() => oneHot(tensor([0.5]), 2)).toThrow(DTypeError);
    expect(() => oneHot(tensor([3], 'int32'), 3)).toThrow(/oneHot: class index 3 is out of range \[0, 3\)/);
    expect(() => oneHot(tensor([1], 'int32'), 0)).toThrow(
      /oneHot: expected numClasses to be a positive integer, got number 0/,
    );
  });

  it('flattenImages: [N, C, H, W] to [N, C*H*W]', () => {
    const x = tensor(
      new Float32Array(2 * 3 * 4 * 5).map((_, i) => i),
      { shape: [2, 3, 4, 5] },
    );
    const f = flattenImages(x);
    expect(f.shape).toEqual([2, 60]);
    expect(Array.from(f.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => flattenImages(tensor([1, 2]))).toThrow(ShapeError);
    expect(() => flattenImages(tensor([1, 2]))).toThrow(/flattenImages: expected x of rank >= 2/);
  });
});
