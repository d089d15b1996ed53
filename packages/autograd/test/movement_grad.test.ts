import { grad } from '@axon/autograd';
import {
  add,
  chunk,
  concat,
  ENGINE,
  gather,
  indexSelect,
  maxDim,
  minDim,
  mul,
  narrow,
  pad,
  scatterAdd,
  slice,
  split,
  stack,
  sum,
  type Tensor,
  tensor,
  tile,
} from '@axon/tensor';
import { describe, expect, it, vi } from 'vitest';
import { expectGradientsMatch } from './helpers';

/** Distinct values with no ties (so max/min have a unique winner), shaped [3, 5]. */
const x35 = () =>
  tensor([
    [0.3, -1.2, 2.5, 0.8, -0.4],
    [1.9, 0.1, -2.2, 1.4, 0.6],
    [-0.7, 2.8, 1.1, -1.6, 0.2],
  ]);

/** The gradient of L = sum(f(x) * R) with respect to x, as the oracle defines it. */
function gradOf(f: (x: Tensor) => Tensor, x: Tensor, r: Tensor): number[] {
  const [g] = grad((t: Tensor) => sum(mul(f(t), r)))(x);
  return [...g.dataSync()];
}

describe('gradients of slicing and padding', () => {
  it('slice: upstream gradient scattered into zeros (torch oracle, x[:, 1:3])', () => {
    const r = tensor(
      [
        0.6397650278268169, -0.25078301875959713, -0.5643100342489128, 0.5582304814796165, 1.458215066006795,
        0.1991165901415954,
      ],
      { shape: [3, 2], dtype: 'float64' },
    );
    const g = gradOf((t) => slice(t, [0, 1], [3, 3]), x35().cast('float64'), r);
    expect(g).toEqual([
      0, 0.6397650278268169, -0.25078301875959713, 0, 0, 0, -0.5643100342489128, 0.5582304814796165, 0, 0, 0,
      1.458215066006795, 0.1991165901415954, 0, 0,
    ]);
  });

  it('slice with steps and negative bounds', () => {
    expectGradientsMatch((x) => slice(x, [null, 1], [null, null], [2, 2]), [x35()]);
    expectGradientsMatch((x) => slice(x, [-2, -1], [null, 0], [1, 3]), [x35()]);
    expectGradientsMatch(
      (x) => slice(x, [1, 0, 1], [2, 3, 4], [1, 2, 3]),
      [tensor([[[1, 2, 3, 4]], [[5, 6, 7, 8]]])],
    );
    // a stepped slice whose last step would overhang the end of x
    const [g] = grad((x: Tensor) => sum(slice(x, [1], [null], [3])))(tensor([1, 2, 3, 4, 5, 6]));
    expect([...g.dataSync()]).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('narrow', () => {
    expectGradientsMatch((x) => narrow(x, 1, -3, 2), [x35()]);
  });

  it('pad, with a value and with negative (cropping) pads', () => {
    expectGradientsMatch(
      (x) =>
        pad(
          x,
          [
            [1, 2],
            [0, 3],
          ],
          0.5,
        ),
      [x35()],
    );
    expectGradientsMatch((x) => pad(x, [[-1, 2]]), [x35()]);
    const [g] = grad((x: Tensor) => sum(pad(x, [[-1, -2]])))(x35());
    expect([...g.dataSync()].slice(0, 5)).toEqual([0, 1, 1, 0, 0]);
  });
});

describe('gradients of joining and splitting', () => {
  it('concat (torch oracle, dim 1): each input gets its band of the upstream gradient', () => {
    const x0 = tensor(
      [
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
      ],
      'float64',
    );
    const x1 = tensor(
      [
        [0.7, 0.8],
        [0.9, 1.0],
      ],
      'float64',
    );
    const r = tensor(
      [
        [
          0.9288440939537713, -0.268013460296454, 0.3754569773036167, -0.539458114318941,
          -0.10778521348913625,
        ],
        [
          0.2591950760678374, -0.6097625221722095, -1.1398055486005587, 1.5203806192756748,
          0.10232882763115686,
        ],
      ],
      'float64',
    );
    const [g0, g1] = grad((a: Tensor, b: Tensor) => sum(mul(concat([a, b], 1), r)))(x0, x1);
    expect([...g0.dataSync()]).toEqual([
      0.9288440939537713, -0.268013460296454, 0.3754569773036167, 0.2591950760678374, -0.6097625221722095,
      -1.1398055486005587,
    ]);
    expect([...g1.dataSync()]).toEqual([
      -0.539458114318941, -0.10778521348913625, 1.5203806192756748, 0.10232882763115686,
    ]);
  });

  it('concat and stack', () => {
    const a = tensor([
      [0.3, -1.1],
      [0.7, 2.0],
    ]);
    const b = tensor([[1.5, -0.2]]);
    expectGradientsMatch((p, q) => concat([p, q, p], 0), [a, b]);
    expectGradientsMatch((p, q) => concat([p, q.reshape([2, 1])], -1), [a, b]);
    expectGradientsMatch(
      (p, q) => stack([p, q, p], 1),
      [
        a,
        tensor([
          [0.9, 0.4],
          [-0.6, 1.2],
        ]),
      ],
    );
  });

  it('split and chunk', () => {
    // recombine the pieces in another order, weighted, so each piece's gradient is distinct
    expectGradientsMatch(
      (x) => {
        const [p, q, r] = split(x, [2, 1, 2], 1);
        return concat([mul(r, 2), q, mul(p, -3)], 1);
      },
      [x35()],
    );
    expectGradientsMatch(
      (x) => {
        const parts = chunk(x, 2, 0);
        return add(sum(mul(parts[0], parts[0])), sum(parts[1]));
      },
      [x35()],
    );
  });

  it('split is one node: its gradient is one concat, with zeros for unused pieces', () => {
    const x = tensor(
      Array.from({ length: 24 }, (_, i) => i / 10),
      { shape: [8, 3] },
    );
    const f = (t: Tensor) => {
      const pieces = split(t, 1, 0); // eight rows; the last one unused
      return pieces.slice(0, 7).reduce((acc, p, k) => add(acc, sum(mul(p, k + 1))), sum(mul(pieces[0], 0)));
    };
    const spy = vi.spyOn(ENGINE, 'runKernel');
    const [g] = grad(f)(x);
    const names = spy.mock.calls.map((c) => c[0]);
    spy.mockRestore();
    expect(names.filter((n) => n === 'Pad')).toEqual([]);
    expect(names.filter((n) => n === 'Concat')).toEqual(['Concat']);
    expect(Array.from(g.dataSync())).toEqual(
      Array.from({ length: 24 }, (_, i) => (i < 21 ? Math.floor(i / 3) + 1 : 0)),
    );
  });

  it('tile', () => {
    expectGradientsMatch(
      (x) => tile(x, [2, 1, 3]),
      [
        tensor([
          [0.5, -1.5],
          [2.5, 0.25],
        ]),
      ],
    );
    // every copy sends its gradient back: d sum(tile(x, [3])) / dx = 3
    const [g] = grad((x: Tensor) => sum(tile(x, [3])))(tensor([1, 2]));
    expect([...g.dataSync()]).toEqual([3, 3]);
  });
});

describe('gradients of indexing', () => {
  it('gather (torch oracle, dim 1): repeated indices accumulate', () => {
    const index = tensor([0, 3, 2, 2, 1, 0], { shape: [3, 2], dtype: 'int32' });
    const r = tensor(
      [
        1.0810466681971604, 0.02978109845340252, 0.015994161834158176, 0.6651084110543733,
        -1.3433161762432726, 1.9709532838652484,
      ],
      { shape: [3, 2], dtype: 'float64' },
    );
    const g = gradOf(
      (t) => gather(t, 1, index),
      tensor(
        [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
          [9, 10, 11, 12],
        ],
        'float64',
      ),
      r,
    );
    const want = [
      1.0810466681971604, 0, 0, 0.02978109845340252, 0, 0, 0.6811025728885315, 0, 1.9709532838652484,
      -1.3433161762432726, 0, 0,
    ];
    g.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 14);
    });
  });

  it('gather and indexSelect (finite differences)', () => {
    const index = tensor(
      [
        [4, 0, 4],
        [1, 1, 2],
        [0, 3, 2],
      ],
      'int32',
    );
    expectGradientsMatch((x, i) => gather(x, 1, i), [x35(), index]);
    expectGradientsMatch((x, i) => gather(x, 0, i), [x35(), tensor([[2, 0, 1, 1, 0]], 'int32')]);
    expectGradientsMatch((x, i) => indexSelect(x, 1, i), [x35(), tensor([3, 0, 3, 1], 'int32')]);
    expectGradientsMatch((x, i) => indexSelect(x, 0, i), [x35(), tensor([2, 2], 'int32')]);
  });

  it('indexSelect (torch oracle): the row chosen twice gets both upstream rows', () => {
    const r = tensor(
      [
        [-0.22893588745699706, 0.34803307112247794, -0.5003099345959734],
        [-1.8373773423301665, -1.1348194850649709, 0.9645630144034061],
        [0.04020465238010708, 0.5540687352345663, -1.2201504106476502],
        [0.6801582664250505, -0.880447683102526, -0.8482849752352798],
      ],
      'float64',
    );
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
        [10, 11, 12],
      ],
      'float64',
    );
    const g = gradOf((t) => indexSelect(t, 0, tensor([2, 0, 2, 3], 'int32')), x, r);
    const want = [
      -1.8373773423301665, -1.1348194850649709, 0.9645630144034061, 0, 0, 0, -0.18873123507689,
      0.9021018063570443, -1.7204603452436236, 0.6801582664250505, -0.880447683102526, -0.8482849752352798,
    ];
    g.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 14);
    });
  });

  it('scatterAdd: identity for x, gather for src', () => {
    const index = tensor(
      [
        [0, 2],
        [1, 1],
      ],
      'int32',
    );
    const src = tensor([
      [0.5, -1.5],
      [2.0, 0.25],
      [9.0, 9.0],
    ]);
    expectGradientsMatch(
      (x, s, i) => scatterAdd(x, 1, i, s),
      [
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        src,
        index,
      ],
    );
    expectGradientsMatch((x, s, i) => scatterAdd(x, 0, i, s), [x35(), src, index]);
  });

  it('maxDim and minDim send the gradient only to the chosen index', () => {
    expectGradientsMatch((x) => maxDim(x, 1).values, [x35()]);
    expectGradientsMatch((x) => minDim(x, 0, true).values, [x35()]);
    // on a tie only the first index gets it (torch.max(x, dim), unlike amax)
    const [g] = grad((x: Tensor) => sum(maxDim(x, 1).values))(tensor([[1, 3, 3, 0]]));
    expect([...g.dataSync()]).toEqual([0, 1, 0, 0]);
  });
});
