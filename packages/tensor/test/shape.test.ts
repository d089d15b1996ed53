import {
  arange,
  expand,
  flatten,
  permute,
  reshape,
  ShapeError,
  squeeze,
  tensor,
  transpose,
  unsqueeze,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('shape ops', () => {
  const x = reshape(arange(24, undefined, 1, 'float32'), [2, 3, 4]);

  it('reshape is a view with -1 inference', () => {
    const y = reshape(x, [-1, 6]);
    expect(y.shape).toEqual([4, 6]);
    expect(y.dataId).toBe(x.dataId);
    expect(() => reshape(x, [5, -1])).toThrow(ShapeError);
    expect(() => reshape(x, [5, -1])).toThrow('reshape: cannot reshape [2, 3, 4] (size 24) into [5, -1]');
  });

  it('flatten, squeeze and unsqueeze', () => {
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 4, 1]);
    expect(squeeze(tensor([[[1], [2]]])).shape).toEqual([2]);
    expect(() => squeeze(x, 0)).toThrow('squeeze: dim 0 of [2, 3, 4] has size 2, not 1');
  });

  it('permute and transpose move data', () => {
    const p = permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    // p[k, i, j] == x[i, j, k]
    expect((p.arraySync() as number[][][])[3][1][2]).toBe(1 * 12 + 2 * 4 + 3);
    expect(transpose(tensor([[1, 2, 3]])).arraySync()).toEqual([[1], [2], [3]]);
    expect(() => permute(x, [0, 0, 1])).toThrow(/permute: \[0, 0, 1\] is not a permutation/);
  });

  it('expand broadcasts and refuses incompatible shapes', () => {
    expect(expand(tensor([[1], [2]]), [2, 3]).arraySync()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(expand(tensor([1, 2]), [3, -1]).shape).toEqual([3, 2]);
    expect(() => expand(tensor([1, 2]), [3])).toThrow(ShapeError);
  });
});
