import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  clamp,
  DTypeError,
  div,
  eq,
  erf,
  exp,
  ge,
  gt,
  le,
  log,
  lt,
  maximum,
  mul,
  ne,
  pow,
  round,
  ShapeError,
  sigmoidReference,
  sub,
  tensor,
  where,
  whereNonzero,
} from './helpers';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])));
};

describe('binary ops with broadcasting', () => {
  it('broadcasts [2,3,4] + [3,1]', () => {
    const a = tensor(
      Array.from({ length: 24 }, (_, i) => i),
      { shape: [2, 3, 4] },
    );
    const b = tensor([[100], [200], [300]]);
    const y = add(a, b);
    expect(y.shape).toEqual([2, 3, 4]);
    const v = y.dataSync();
    for (let i = 0; i < 24; i++) expect(v[i]).toBe(i + 100 * (Math.floor(i / 4) % 3) + 100);
  });

  it('broadcasts [3,1] * [1,4] into an outer product', () => {
    const y = mul(tensor([[1], [2], [3]]), tensor([[1, 10, 100, 1000]]));
    expect(y.arraySync()).toEqual([
      [1, 10, 100, 1000],
      [2, 20, 200, 2000],
      [3, 30, 300, 3000],
    ]);
  });

  it('mixes tensors and numbers, promoting as torch does', () => {
    const i = tensor([1, 2, 3], 'int32');
    expect(add(i, 1).dtype).toBe('int32');
    expect(add(i, 0.5).dtype).toBe('float32');
    expect(Array.from(div(i, 2).dataSync())).toEqual([0.5, 1, 1.5]);
    expect(add(i, tensor([0.5, 0.5, 0.5], 'float64')).dtype).toBe('float64');
    expect(Array.from(sub(10, tensor([1, 2])).dataSync())).toEqual([9, 8]);
  });

  it('names the op and both shapes when shapes do not broadcast', () => {
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(
      'add: shapes [3] and [2] cannot be broadcast together',
    );
  });

  it('compares into bool tensors and selects with where', () => {
    const a = tensor([1, 5, 3]);
    const m = gt(a, 2);
    expect(m.dtype).toBe('bool');
    expect(m.arraySync()).toEqual([false, true, true]);
    expect(Array.from(where(m, a, tensor([-1])).dataSync())).toEqual([-1, 5, 3]);
    expect(eq(tensor([1, 2]), tensor([1, 3])).arraySync()).toEqual([true, false]);
    expect(() => where(a, a, a)).toThrow(DTypeError);
    // whereNonzero takes any dtype: nonzero (NaN included) picks a, ±0 picks b.
    const cond = tensor([0, -0, Number.NaN, -2]);
    expect(Array.from(whereNonzero(cond, tensor([1, 2, 3, 4]), 9).dataSync())).toEqual([9, 9, 3, 4]);
  });

  it('compares a float32 tensor with a number either side as with a full tensor (NaN, ±0, ±inf)', () => {
    const x = tensor([
      -2,
      0,
      -0,
      0.5,
      2,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0.5,
    ]);
    const half = tensor(Array.from({ length: 9 }, () => 0.5));
    for (const f of [gt, ge, lt, le, eq, ne]) {
      expect(Array.from(f(x, 0.5).dataSync()), `${f.name}(x, 0.5)`).toEqual(
        Array.from(f(x, half).dataSync()),
      );
      expect(Array.from(f(0.5, x).dataSync()), `${f.name}(0.5, x)`).toEqual(
        Array.from(f(half, x).dataSync()),
      );
    }
  });

  it('maximum propagates NaN and pow handles tensor exponents', () => {
    const y = maximum(tensor([1, Number.NaN, 3]), tensor([2, 0, 1])).dataSync();
    expect([y[0], Number.isNaN(y[1]), y[2]]).toEqual([2, true, 3]);
    close(pow(tensor([2, 3, 4]), tensor([3, 0.5, -1])).dataSync(), [8, Math.sqrt(3), 0.25]);
  });
});

describe('unary ops', () => {
  it('match Math on a range of values', () => {
    const xs = [-3, -0.5, 0.25, 1, 4];
    close(exp(tensor(xs)).dataSync(), xs.map(Math.exp));
    close(abs(tensor(xs)).dataSync(), xs.map(Math.abs));
    close(log(tensor([0.5, 1, 10])).dataSync(), [Math.log(0.5), 0, Math.log(10)]);
  });

  it('computes erf to double precision', () => {
    // reference values from high-precision tables
    const y = erf(tensor([0, 0.5, 1, 2, 3.5, -1], 'float64')).dataSync();
    close(
      y,
      [
        0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999992569016276,
        -0.8427007929497149,
      ],
      1e-14,
    );
  });

  it('rounds half to even like torch.round', () => {
    expect(Array.from(round(tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])).dataSync())).toEqual([
      0, 2, 2, -0, -2, 2,
    ]);
  });

  it('keeps sigmoid finite for large inputs', () => {
    const y = sigmoidReference(tensor([-1000, 0, 1000])).dataSync();
    expect(Array.from(y)).toEqual([0, 0.5, 1]);
  });

  it('clamps with either bound and checks the bounds', () => {
    expect(Array.from(clamp(tensor([-2, 0, 2]), -1, 1).dataSync())).toEqual([-1, 0, 1]);
    expect(Array.from(clamp(tensor([-2, 0, 2]), null, 1).dataSync())).toEqual([-2, 0, 1]);
    expect(() => clamp(tensor([1]), 2, 1)).toThrow('clamp: min 2 is greater than max 1');
  });
});
