import { grad } from '@axon/autograd';
import {
  cos,
  cumsum,
  einsum,
  erf,
  expm1,
  flip,
  log1p,
  logsumexp,
  maskedFill,
  mul,
  norm,
  prod,
  reciprocal,
  repeat,
  rsqrt,
  sin,
  sort,
  std,
  sum,
  type Tensor,
  tensor,
  topk,
  tril,
  triu,
  variance,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

/** Distinct values (no ties, no zeros), shaped [3, 4]. */
const x34 = () =>
  tensor(
    [
      [0.3, -1.2, 2.5, 0.8],
      [1.9, 0.1, -2.2, 1.4],
      [-0.7, 2.8, 1.1, -1.6],
    ],
    'float64',
  );
const pos34 = () =>
  tensor(
    [
      [0.3, 1.2, 2.5, 0.8],
      [1.9, 0.1, 2.2, 1.4],
      [0.7, 2.8, 1.1, 1.6],
    ],
    'float64',
  );
const v = (values: number[], shape: number[]) => tensor(values, { dtype: 'float64', shape });

describe('gradients of the composed ops of issue 10', () => {
  it('cumsum', () => {
    expectGradientsMatch((x) => cumsum(x, 1), [x34()]);
    expectGradientsMatch((x) => cumsum(x, 0), [x34()]);
    expectGradientsMatch((x) => cumsum(x, -1), [v([1, 2, 3, 4, 5, 6, 7], [7])]);
  });

  it('norm with p = 1, 2, Infinity, 3 and 0.5', () => {
    expectGradientsMatch((x) => norm(x), [x34()]);
    expectGradientsMatch((x) => norm(x, 2, 1), [x34()]);
    expectGradientsMatch((x) => norm(x, 1, 0, true), [x34()]);
    expectGradientsMatch((x) => norm(x, Number.POSITIVE_INFINITY, 1), [x34()]);
    expectGradientsMatch((x) => norm(x, 3, [0, 1]), [x34()]);
    expectGradientsMatch((x) => norm(x, 0.5, 1), [x34()]);
  });

  it('the 2-norm of a zero vector has gradient 0, not NaN', () => {
    const [g] = grad((x: Tensor) => norm(x))(v([0, 0, 0], [3]));
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0]);
  });

  it('sort and topk values (the Sort kernel gradient: a scatter-add to the indices)', () => {
    expectGradientsMatch((x) => sort(x).values, [x34()]);
    expectGradientsMatch((x) => sort(x, { axis: 0, descending: true }).values, [x34()]);
    expectGradientsMatch((x) => topk(x, 2).values, [x34()]);
    expectGradientsMatch((x) => topk(x, 2, { axis: 0, largest: false }).values, [x34()]);
  });

  it('the Sort gradient routes dy to where each value came from', () => {
    const r = v([10, 20, 30], [3]);
    const [g] = grad((x: Tensor) => sum(mul(sort(x).values, r)))(v([3, 1, 2], [3]));
    expect(Array.from(g.dataSync())).toEqual([30, 10, 20]);
  });

  it('flip, tril, triu, repeat', () => {
    expectGradientsMatch((x) => flip(x, [0, 1]), [x34()]);
    expectGradientsMatch((x) => tril(x, -1), [x34()]);
    expectGradientsMatch((x) => triu(x, 1), [x34()]);
    expectGradientsMatch((x) => repeat(x, [2, 1, 3]), [x34()]);
  });

  it('maskedFill, to x and to a 0-d tensor value', () => {
    const mask = tensor([[true, false, false, true]]);
    expectGradientsMatch((x) => maskedFill(x, mask, -3.5), [x34()]);
    expectGradientsMatch((x, value) => maskedFill(x, mask, value), [x34(), tensor(0.7, 'float64')]);
  });

  it('einsum: matmul, batched, attention scores, trace, diagonal, outer, three operands', () => {
    const a = x34();
    const b = v([0.5, -0.2, 1.3, 0.7, -1.1, 0.4, 0.9, 0.2], [4, 2]);
    expectGradientsMatch((p, q) => einsum('ij,jk->ik', p, q), [a, b]);
    expectGradientsMatch((p, q) => einsum('ij,kj', p, q), [a, a]);
    expectGradientsMatch(
      (p, q) => einsum('bhqd,bhkd->bhqk', p, q),
      [
        v([0.1, 0.5, -0.3, 0.8, 1.2, -0.7, 0.4, 0.9], [1, 2, 2, 2]),
        v([0.2, -0.6, 0.3, 1.1, -0.5, 0.7, 0.8, 0.1, -0.4, 0.6, 0.9, -1.2], [1, 2, 3, 2]),
      ],
    );
    const m = v([0.3, -1.2, 2.5, 0.8, 1.9, 0.1, -2.2, 1.4, -0.7], [3, 3]);
    expectGradientsMatch((p) => einsum('ii->', p), [m]);
    expectGradientsMatch((p) => einsum('ii->i', p), [m]);
    expectGradientsMatch((p, q) => einsum('i,j->ij', p, q), [v([1, 2], [2]), v([3, -1, 0.5], [3])]);
    expectGradientsMatch(
      (p, w, q) => einsum('ni,kij,nj->nk', p, w, q),
      [
        a,
        v(
          [...Array(32)].map((_, i) => Math.sin(i + 1)),
          [2, 4, 4],
        ),
        pos34(),
      ],
    );
  });

  it('the unary ops, prod, var/std and logsumexp already present', () => {
    for (const f of [log1p, expm1, rsqrt, reciprocal, erf, sin, cos]) expectGradientsMatch(f, [pos34()]);
    expectGradientsMatch((x) => prod(x, 1), [x34()]);
    expectGradientsMatch((x) => variance(x, 1, { correction: 0 }), [x34()]);
    expectGradientsMatch((x) => std(x, [0], { keepDims: true }), [x34()]);
    expectGradientsMatch((x) => logsumexp(x, [0, 1]), [x34()]);
  });
});
