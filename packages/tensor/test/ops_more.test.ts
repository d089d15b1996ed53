import {
  all,
  any,
  arange,
  argsort,
  cast,
  cumsum,
  DTypeError,
  einsum,
  eye,
  flip,
  full,
  Generator,
  isfinite,
  isnan,
  linspace,
  log1p,
  logsumexp,
  maskedFill,
  matmul,
  multinomial,
  norm,
  oneHot,
  ones,
  prod,
  rand,
  randint,
  randn,
  randperm,
  repeat,
  ShapeError,
  scalar,
  sort,
  std,
  type Tensor,
  tensor,
  tidy,
  topk,
  tril,
  triu,
  ValueError,
  variance,
  zeros,
} from '@axon/tensor';
import { expectError } from '@axon/testing';
import { describe, expect, it } from 'vitest';
import { iota } from './helpers';

const vals = (t: Tensor) => Array.from(t.dataSync());

function close(t: Tensor, expected: number[], digits = 5) {
  const v = vals(t);
  expect(v.length).toBe(expected.length);
  v.forEach((x, i) => {
    expect(x).toBeCloseTo(expected[i], digits);
  });
}

const x23 = () =>
  tensor(
    [
      [0.5, -1.5, 2.0],
      [3.0, 0.25, -0.75],
    ],
    'float64',
  );

describe('cumsum', () => {
  it('sums along an axis (values from numpy.cumsum)', () => {
    close(cumsum(x23(), 1), [0.5, -1.0, 1.0, 3.0, 3.25, 2.5], 12);
    close(cumsum(x23(), 0), [0.5, -1.5, 2.0, 3.5, -1.25, 1.25], 12);
    close(cumsum(x23(), -1), [0.5, -1.0, 1.0, 3.0, 3.25, 2.5], 12);
    expect(cumsum(x23(), 1).shape).toEqual([2, 3]);
  });

  it('handles lengths that are not powers of two, bool and int inputs, and 0-d', () => {
    const n = 37;
    const expected = Array.from({ length: n }, (_, i) => ((i + 1) * i) / 2);
    expect(vals(cumsum(arange(0, n), 0))).toEqual(expected);
    const b = cumsum(tensor([true, false, true, true]), 0);
    expect(b.dtype).toBe('int32');
    expect(vals(b)).toEqual([1, 1, 2, 3]);
    expect(vals(cumsum(scalar(4), 0))).toEqual([4]);
    expect(cumsum(zeros([2, 0]), 1).shape).toEqual([2, 0]);
    expect(vals(x23().cumsum(1))).toEqual(vals(cumsum(x23(), 1)));
  });

  it('rejects a bad axis', () => {
    expectError(() => cumsum(x23(), 2), ValueError, 'cumsum', 'axis 2');
    expectError(() => cumsum(x23(), undefined as unknown as number), ValueError, 'cumsum', 'axis');
  });
});

describe('norm (vector_norm)', () => {
  it('p = 1, 2, Infinity and other p, over dims or all', () => {
    close(norm(tensor([3, -4])), [5]);
    close(norm(tensor([3, -4]), 1), [7]);
    close(norm(tensor([3, -4]), Number.POSITIVE_INFINITY), [4]);
    close(norm(x23(), 2.5, 1), [2.36365044, 3.03951442], 7);
    close(norm(x23(), 0.5), [41.526958722214395], 9);
    const k = norm(x23(), 2, [0], true);
    expect(k.shape).toEqual([1, 3]);
    close(k, [Math.hypot(0.5, 3), Math.hypot(1.5, 0.25), Math.hypot(2, 0.75)], 12);
    expect(x23().norm(1).item()).toBeCloseTo(8, 12);
  });

  it('integers are computed in float32; an all-zero vector has norm 0', () => {
    const n = norm(tensor([3, 4], 'int32'));
    expect(n.dtype).toBe('float32');
    expect(n.item()).toBe(5);
    expect(norm(zeros([3])).item()).toBe(0);
    expect(norm(zeros([3]), 3).item()).toBe(0);
  });

  it('rejects p <= 0 and bad axes', () => {
    expectError(() => norm(x23(), 0), ValueError, 'norm', 'p', '0');
    expectError(() => norm(x23(), -1), ValueError, 'norm', '-1');
    expectError(() => norm(x23(), 2, 5), ValueError, 'norm', 'axis 5');
  });
});

describe('sort, argsort, topk', () => {
  it('sorts stably along an axis, ascending or descending', () => {
    const x = tensor([3, 1, 2, 1, 5]);
    const up = sort(x);
    expect(vals(up.values)).toEqual([1, 1, 2, 3, 5]);
    expect(vals(up.indices)).toEqual([1, 3, 2, 0, 4]);
    expect(up.indices.dtype).toBe('int32');
    const down = sort(x, { descending: true });
    expect(vals(down.values)).toEqual([5, 3, 2, 1, 1]);
    expect(vals(down.indices)).toEqual([4, 0, 2, 1, 3]);
    expect(vals(argsort(x))).toEqual([1, 3, 2, 0, 4]);
    expect(vals(x.argsort({ descending: true }))).toEqual([4, 0, 2, 1, 3]);
  });

  it('sorts along a middle axis and puts NaN last (first when descending), as torch', () => {
    const x = tensor([
      [
        [4, 0],
        [1, 9],
        [3, 5],
      ],
    ]);
    const s = sort(x, { axis: 1 });
    expect(s.values.shape).toEqual([1, 3, 2]);
    expect(vals(s.values)).toEqual([1, 0, 3, 5, 4, 9]);
    expect(vals(s.indices)).toEqual([1, 0, 2, 2, 0, 1]);
    const n = tensor([2, Number.NaN, -1]);
    expect(vals(sort(n).values)).toEqual([-1, 2, Number.NaN]);
    expect(vals(sort(n, { descending: true }).indices)).toEqual([1, 0, 2]);
    const z = sort(scalar(7));
    expect(z.values.shape).toEqual([]);
    expect(vals(z.indices)).toEqual([0]);
  });

  it('topk takes the k largest or smallest, sorted', () => {
    const x = tensor([
      [1, 5, 3],
      [7, 2, 9],
    ]);
    const t = topk(x, 2);
    expect(t.values.shape).toEqual([2, 2]);
    expect(vals(t.values)).toEqual([5, 3, 9, 7]);
    expect(vals(t.indices)).toEqual([1, 2, 2, 0]);
    const s = topk(tensor([4, 1, 3, 1, 5]), 3, { largest: false });
    expect(vals(s.values)).toEqual([1, 1, 3]);
    expect(vals(s.indices)).toEqual([1, 3, 2]);
    const c = x.topk(1, { axis: 0 });
    expect(vals(c.values)).toEqual([7, 5, 9]);
    expect(vals(c.indices)).toEqual([1, 0, 1]);
    expect(topk(x, 0).values.shape).toEqual([2, 0]);
  });

  it('validates k, the axis and the options', () => {
    expectError(() => topk(ones([2, 3]), 4), ValueError, 'topk', 'k', '[0, 3]', '4');
    expectError(() => topk(ones([2, 3]), 1.5), ValueError, 'topk', '1.5');
    expectError(() => topk(ones([2, 3]), 1, { axis: 2 }), ValueError, 'topk', 'axis 2');
    expectError(() => sort(ones([2]), { axis: 1 }), ValueError, 'sort', 'axis 1');
    expectError(
      () => sort(ones([2]), { descending: 'yes' as unknown as boolean }),
      ValueError,
      'sort',
      'descending',
    );
    expectError(() => argsort('x' as unknown as Tensor), ValueError, 'argsort', 'Tensor');
  });
});

describe('flip, tril, triu, repeat, maskedFill', () => {
  it('flip reverses the given dims', () => {
    const x = iota([2, 3]);
    expect(vals(flip(x, [0]))).toEqual([3, 4, 5, 0, 1, 2]);
    expect(vals(flip(x, 1))).toEqual([2, 1, 0, 5, 4, 3]);
    expect(vals(x.flip([0, -1]))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(vals(flip(iota([2, 3, 4]), [0, 2])).slice(0, 4)).toEqual([15, 14, 13, 12]);
    expectError(() => flip(x, [0, -2]), ValueError, 'flip', 'more than once');
    expectError(() => flip(x, [2]), ValueError, 'flip', 'axis 2');
  });

  it('tril / triu keep a triangle of the last two dims', () => {
    const x = ones([2, 3, 4]);
    expect(vals(tril(x)).slice(0, 12)).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0]);
    expect(vals(tril(x, -1)).slice(0, 12)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
    expect(vals(triu(x, 1)).slice(12)).toEqual([0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1]);
    expect(vals(iota([2, 2], 'int32').triu())).toEqual([0, 1, 0, 3]);
    expect(tril(tensor([[true, true]])).dtype).toBe('bool');
    expectError(() => tril(ones([3])), ShapeError, 'tril', 'rank >= 2', '[3]');
    expectError(() => triu(ones([2, 2]), 0.5), ValueError, 'triu', 'diagonal');
  });

  it("repeat follows Tensor.repeat (torch's tile with leading dims)", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const r = repeat(x, [2, 1, 2]);
    expect(r.shape).toEqual([2, 2, 4]);
    expect(vals(r)).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4]);
    expect(x.repeat([1, 3]).shape).toEqual([2, 6]);
    expectError(() => repeat(x, [2]), ShapeError, 'repeat', 'at least 2', '[2, 2]');
    expectError(() => repeat(x, [2, -1]), ValueError, 'repeat', 'repeats[1]');
  });

  it('maskedFill puts a value where a (broadcast) bool mask is true', () => {
    const x = iota([2, 3]);
    expect(vals(maskedFill(x, tensor([[true, false, true]]), -1))).toEqual([-1, 1, -1, -1, 4, -1]);
    expect(vals(x.maskedFill(tensor([[false], [true]]), scalar(9)))).toEqual([0, 1, 2, 9, 9, 9]);
    const i = maskedFill(iota([2], 'int32'), tensor([true, false]), 7);
    expect(i.dtype).toBe('int32');
    expectError(() => maskedFill(x, tensor([1, 0, 1]), 0), DTypeError, 'maskedFill', 'bool', 'float32');
    expectError(
      () => maskedFill(x, tensor([[true], [false], [true]]), 0),
      ShapeError,
      'maskedFill',
      '[3, 1]',
      '[2, 3]',
    );
    expectError(() => maskedFill(x, tensor([true, false, true]), ones([2])), ShapeError, 'maskedFill', '[2]');
  });
});

describe('einsum', () => {
  const W = () =>
    tensor(
      [
        [1, 2, 0],
        [0, 1, -1],
        [2, 0, 1],
      ],
      'float64',
    );

  it('contracts like numpy.einsum', () => {
    close(einsum('ij,kj->ik', x23(), x23()), [6.5, -0.375, -0.375, 9.625], 12);
    close(einsum('bi,bj,ij->b', x23(), x23(), W()), [10.0, 6.8125], 12);
    close(einsum('ij,jk,kl->il', x23(), W(), x23().T), [10.0, 10.75, -10.625, 6.8125], 12);
    close(einsum('ij,jk', x23(), W()), vals(matmul(x23(), W())), 12);
    expect(vals(einsum('ijk->kji', iota([2, 3, 4])))).toEqual([
      0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23,
    ]);
    expect(einsum('bhqd,bhkd->bhqk', ones([2, 3, 4, 5]), ones([2, 3, 6, 5])).shape).toEqual([2, 3, 4, 6]);
    expect(vals(einsum('i,j->ij', tensor([1, 2]), tensor([3, 4, 5])))).toEqual([3, 4, 5, 6, 8, 10]);
    expect(vals(einsum('i,i->', tensor([1, 2]), tensor([3, 4])))).toEqual([11]);
  });

  it('handles a repeated index (trace, diagonal) and implicit output', () => {
    const m = iota([3, 3]);
    expect(vals(einsum('ii->', m))).toEqual([12]);
    expect(vals(einsum('ii', m))).toEqual([12]);
    expect(vals(einsum('ii->i', m))).toEqual([0, 4, 8]);
    expect(vals(einsum('iji->j', iota([3, 2, 3])))).toEqual([21, 30]);
    // implicit output: letters used once, in alphabetical order
    expect(vals(einsum('ji', iota([2, 3])))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(vals(einsum('ij->', iota([2, 3])))).toEqual([15]);
    expect(einsum('ij,jk', ones([2, 3], 'int32'), ones([3, 4], 'int32')).dtype).toBe('int32');
  });

  it('names einsum and the equation in its errors', () => {
    const a = ones([2, 3]);
    expectError(() => einsum('ij,jk->ik', a, a), ShapeError, 'einsum', "'ij,jk->ik'", "'j'", '3 and 2');
    expectError(() => einsum('ij,jk', a), ValueError, 'einsum', "'ij,jk'", '2 input term(s)', '1 operand');
    expectError(() => einsum('ijk', a), ShapeError, 'einsum', "'ijk'", 'rank 2');
    expectError(() => einsum('ij->iz', a), ValueError, 'einsum', "'ij->iz'", "'z'");
    expectError(() => einsum('ij->ii', a), ValueError, 'einsum', 'more than once');
    expectError(() => einsum('i1', a), ValueError, 'einsum', "'1'");
    expectError(() => einsum('...j', a), ValueError, 'einsum', 'ellipsis');
    expectError(() => einsum('i->i->i', a), ValueError, 'einsum', "'->'");
    expectError(() => einsum('ij', tensor([[true]])), DTypeError, 'einsum', 'bool');
  });
});

describe('isnan, isfinite, any, all', () => {
  it('test values elementwise, giving bool', () => {
    const x = tensor([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]);
    expect(isnan(x).dtype).toBe('bool');
    expect(vals(isnan(x))).toEqual([0, 1, 0, 0, 0]);
    expect(vals(isfinite(x))).toEqual([1, 0, 0, 0, 1]);
    expect(vals(x.isnan())).toEqual([0, 1, 0, 0, 0]);
    expect(vals(isfinite(tensor([1, 2], 'int32')))).toEqual([1, 1]);
    expect(vals(isnan(tensor([true])))).toEqual([0]);
  });

  it('any / all reduce over axes (NaN counts as true; empty: any false, all true)', () => {
    const x = tensor([
      [0, 0, 0],
      [0, 2, 0],
      [1, Number.NaN, -1],
    ]);
    expect(vals(any(x, 1))).toEqual([0, 1, 1]);
    expect(vals(all(x, 1))).toEqual([0, 0, 1]);
    expect(any(x).dtype).toBe('bool');
    expect(vals(any(x))).toEqual([1]);
    expect(vals(all(x))).toEqual([0]);
    expect(all(x, 0, true).shape).toEqual([1, 3]);
    expect(vals(x.any([0, 1]))).toEqual([1]);
    expect(vals(tensor([true, true]).all())).toEqual([1]);
    expect(vals(any(zeros([0])))).toEqual([0]);
    expect(vals(all(zeros([0])))).toEqual([1]);
    expectError(() => any(x, 2), ValueError, 'any', 'axis 2');
  });
});

describe('multinomial and randperm', () => {
  it('multinomial with replacement follows the weights and never picks a zero weight', () => {
    const counts = [0, 0, 0];
    const draws = multinomial(tensor([1, 0, 3]), 4000, { replacement: true, generator: new Generator(5) });
    expect(draws.dtype).toBe('int32');
    expect(draws.shape).toEqual([4000]);
    for (const v of vals(draws)) counts[v]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 4000).toBeGreaterThan(0.22);
    expect(counts[0] / 4000).toBeLessThan(0.28);
  });

  it('multinomial without replacement draws distinct categories, per row, reproducibly', () => {
    const p = tensor([
      [0.1, 0, 0.9, 1],
      [1, 1, 1, 1],
    ]);
    const a = multinomial(p, 3, { generator: new Generator(1) });
    const b = p.multinomial(3, { generator: new Generator(1) });
    expect(a.shape).toEqual([2, 3]);
    expect(vals(a)).toEqual(vals(b));
    const rows = [vals(a).slice(0, 3), vals(a).slice(3)];
    for (const r of rows) expect(new Set(r).size).toBe(3);
    expect(rows[0]).not.toContain(1);
    // all of a row's non-zero categories when numSamples equals their count
    expect(vals(multinomial(tensor([0, 2, 0, 1]), 2)).sort()).toEqual([1, 3]);
  });

  it('multinomial validates its inputs', () => {
    expectError(() => multinomial(ones([2, 2, 2]), 1), ShapeError, 'multinomial', 'rank 1 or 2', '[2, 2, 2]');
    expectError(() => multinomial(ones([3], 'int32'), 1), DTypeError, 'multinomial', 'int32');
    expectError(() => multinomial(ones([3]), 4), ValueError, 'multinomial', '4', '3 categories');
    expectError(() => multinomial(tensor([1, 0, 0]), 2), ValueError, 'multinomial', '1 non-zero');
    expectError(() => multinomial(tensor([1, -1]), 1), ValueError, 'multinomial', '-1');
    expectError(
      () => multinomial(zeros([2]), 1, { replacement: true }),
      ValueError,
      'multinomial',
      'sums to 0',
    );
    expectError(() => multinomial(ones([2]), 0), ValueError, 'multinomial', 'numSamples');
  });

  it('randperm is a seeded permutation', () => {
    const a = randperm(50, { generator: new Generator(3) });
    expect(a.dtype).toBe('int32');
    expect(vals(a).sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(vals(randperm(50, { generator: new Generator(3) }))).toEqual(vals(a));
    expect(vals(randperm(50, { generator: new Generator(4) }))).not.toEqual(vals(a));
    expect(randperm(0).shape).toEqual([0]);
    expectError(() => randperm(-1), ValueError, 'randperm', '-1');
    expectError(() => randperm(3, { dtype: 'int64' as 'int32' }), DTypeError, 'randperm', 'int64');
  });
});

describe('ops already present, checked against the spec', () => {
  it('log1p, prod, var/std with correction, logsumexp over several axes and with large values', () => {
    close(log1p(tensor([1e-10, 1], 'float64')), [1e-10, Math.log(2)], 12);
    expect(vals(prod(iota([2, 3]).add(1), 1))).toEqual([6, 120]);
    close(variance(x23(), 1, { correction: 0 }), [2.0555555555555554, 2.513888888888889], 10); // numpy var
    expect(std(x23(), null, { keepDims: true }).shape).toEqual([1, 1]);
    close(logsumexp(tensor([[1000, 1000]]), [0, 1]), [1000 + Math.log(2)], 3);
  });
});

describe('unknown dtypes are DTypeErrors naming the op (item 6)', () => {
  const bad = 'int64' as 'int32';
  it('every creation op and cast', () => {
    const allowed = 'bool, int32, float32, float64';
    expectError(() => zeros([2], bad), DTypeError, 'zeros', "'int64'", allowed);
    expectError(() => ones([2], { dtype: bad }), DTypeError, 'ones', "'int64'", allowed);
    expectError(() => full([2], 1, bad), DTypeError, 'full', "'int64'");
    expectError(() => arange(0, 3, 1, bad), DTypeError, 'arange', "'int64'");
    expectError(() => linspace(0, 1, 3, bad), DTypeError, 'linspace', "'int64'");
    expectError(() => eye(2, 2, bad), DTypeError, 'eye', "'int64'");
    expectError(() => scalar(1, bad), DTypeError, 'scalar', "'int64'");
    expectError(() => tensor([1], bad), DTypeError, 'tensor', "'int64'", allowed);
    expectError(() => rand([2], { dtype: bad }), DTypeError, 'rand', "'int64'");
    expectError(() => randn([2], { dtype: bad }), DTypeError, 'randn', "'int64'");
    expectError(() => randint(0, 3, [2], { dtype: bad }), DTypeError, 'randint', "'int64'");
    expectError(() => cast(ones([2]), bad), DTypeError, 'cast', "'int64'", allowed);
    expectError(() => oneHot(tensor([1], 'int32'), 2, bad), DTypeError, 'oneHot', "'int64'", allowed);
  });

  it('creation ops take torch-style options', () => {
    tidy(() => {
      expect(ones([2], { dtype: 'int32' }).dtype).toBe('int32');
      expect(zeros([2], {}).dtype).toBe('float32');
      expect(full([2], 2.7, { dtype: 'int32' }).dataSync()[0]).toBe(2);
      expect(arange(0, 3, 1, { dtype: 'float64' }).dtype).toBe('float64');
      expect(eye(2, { dtype: 'bool' }).dtype).toBe('bool');
      expect(linspace(0, 1, 2, { dtype: 'float64' }).dtype).toBe('float64');
    });
  });

  it('matmul shape errors show both full shapes', () => {
    expectError(
      () => matmul(ones([2, 3, 4]), ones([3, 4, 5])),
      ShapeError,
      'matmul',
      '[2, 3, 4]',
      '[3, 4, 5]',
    );
    expectError(() => matmul(scalar(1), ones([2])), ShapeError, 'matmul', '[]', '[2]');
  });
});
