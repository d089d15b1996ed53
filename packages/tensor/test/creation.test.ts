import {
  arange,
  DTypeError,
  eye,
  full,
  linspace,
  ones,
  ShapeError,
  scalar,
  tensor,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('tensor creation', () => {
  it('infers shape and dtype from nested arrays', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('keeps the dtype of typed arrays and reshapes flat data', () => {
    const t = tensor(new Int32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(t.dtype).toBe('int32');
    expect(t.arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor(new Float64Array([0.1])).dtype).toBe('float64');
  });

  it('makes bool tensors from booleans and converts on request', () => {
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([1.7, -1.7], 'int32').dataSync()).toEqual(new Int32Array([1, -1]));
  });

  it('rejects ragged arrays, wrong shapes and unknown dtypes', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/^tensor: ragged/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      /tensor: shape \[2, 2\] holds 4 values, but 3/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: testing a bad dtype on purpose
    expect(() => tensor([1], 'float16' as any)).toThrow(DTypeError);
  });

  it('builds constant tensors', () => {
    expect(zeros([2, 2]).dataSync()).toEqual(new Float32Array(4));
    expect(ones([3], 'int32').dataSync()).toEqual(new Int32Array([1, 1, 1]));
    expect(full([2], 7.5).dataSync()).toEqual(new Float32Array([7.5, 7.5]));
    expect(scalar(3).shape).toEqual([]);
    expect(scalar(3).item()).toBe(3);
  });

  it('arange, linspace and eye follow torch', () => {
    expect(arange(5).dataSync()).toEqual(new Int32Array([0, 1, 2, 3, 4]));
    expect(arange(5).dtype).toBe('int32');
    expect(Array.from(arange(1, 2, 0.25).dataSync())).toEqual([1, 1.25, 1.5, 1.75]);
    expect(Array.from(arange(5, 0, -2).dataSync())).toEqual([5, 3, 1]);
    expect(Array.from(linspace(0, 1, 5).dataSync())).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).arraySync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });
});
