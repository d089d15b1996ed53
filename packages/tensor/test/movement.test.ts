import {
  chunk,
  concat,
  DTypeError,
  gather,
  indexSelect,
  maxDim,
  memory,
  minDim,
  narrow,
  oneHot,
  pad,
  ShapeError,
  scatterAdd,
  slice,
  split,
  stack,
  type Tensor,
  tensor,
  tidy,
  tile,
  ValueError,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { iota } from './helpers';

/** 0, 1, 2, ... shaped as `shape` (float32 unless told). */

const values = (t: Tensor) => [...t.dataSync()];

describe('slice', () => {
  const x = iota([3, 5]); // row r holds 5r .. 5r + 4

  it('takes Python slices per dim, keeping unlisted dims whole', () => {
    expect(slice(x, [1]).arraySync()).toEqual([
      [5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14],
    ]);
    expect(slice(x, [null, 1], [null, 3]).arraySync()).toEqual([
      [1, 2],
      [6, 7],
      [11, 12],
    ]);
  });

  it('counts negative bounds from the end and clamps out-of-range ones', () => {
    expect(slice(x, [-1, -2]).arraySync()).toEqual([[13, 14]]);
    expect(slice(x, [-10, 3], [100, 100]).arraySync()).toEqual([
      [3, 4],
      [8, 9],
      [13, 14],
    ]);
    expect(slice(x, [2], [1]).shape).toEqual([0, 5]);
  });

  it('steps', () => {
    expect(slice(x, [0, 0], [null, null], [2, 2]).arraySync()).toEqual([
      [0, 2, 4],
      [10, 12, 14],
    ]);
    expect(slice(x, [null, 1], [null, -1], [1, 3]).arraySync()).toEqual([[1], [6], [11]]);
    // a 3-D slice with a step on the last dim: x3[1:3, :, 0:5:2]
    const x3 = iota([3, 4, 5], 'float64');
    const y = slice(x3, [1, 0, 0], [3, 4, 5], [1, 1, 2]);
    expect(y.shape).toEqual([2, 4, 3]);
    expect(values(y).slice(0, 6)).toEqual([20, 22, 24, 25, 27, 29]);
  });

  it('matches torch on the oracle case x[:, 1:3]', () => {
    const xo = tensor(
      [
        0.38207612304159727, -0.4814944526387663, -0.5339315691117615, 1.7493064667920077, 0.6436238689346498,
        -1.1259085558520603, -0.5841136100390972, -0.3734721634832827, 0.5581212195225428, -1.425930728468804,
        -0.029854115144776996, 0.6946390955516718, 1.993280214193523, 0.1887652047487037, 0.07191428951280332,
      ],
      { shape: [3, 5], dtype: 'float64' },
    );
    expect(values(slice(xo, [0, 1], [3, 3]))).toEqual([
      -0.4814944526387663, -0.5339315691117615, -0.5841136100390972, -0.3734721634832827, 0.6946390955516718,
      1.993280214193523,
    ]);
  });

  it('keeps the dtype and copies long contiguous runs correctly', () => {
    const xi = iota([4, 50], 'int32');
    const y = slice(xi, [1, 3], [3, 48]);
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([2, 45]);
    expect(values(y)[0]).toBe(53);
    expect(values(y)[89]).toBe(147);
  });

  it('rejects bad bounds', () => {
    expect(() => slice(x, [0, 0, 0])).toThrow(ShapeError);
    expect(() => slice(x, [0, 0, 0])).toThrow('slice: got bounds for 3 dims, but x has rank 2 [3, 5]');
    expect(() => slice(x, [0], [null], [0])).toThrow('slice: step must be >= 1, got 0 for dim 0');
    expect(() => slice(x, [0.5])).toThrow(ValueError);
    expect(() => slice(x, [0.5])).toThrow(/^slice: expected start of dim 0 to be an integer/);
  });
});

describe('narrow', () => {
  it('takes length entries from start (negative start counts from the end)', () => {
    const x = iota([2, 4]);
    expect(narrow(x, 1, 1, 2).arraySync()).toEqual([
      [1, 2],
      [5, 6],
    ]);
    expect(narrow(x, -1, -1, 1).arraySync()).toEqual([[3], [7]]);
    expect(narrow(x, 0, 2, 0).shape).toEqual([0, 4]);
  });

  it('rejects ranges that do not fit', () => {
    expect(() => narrow(iota([2, 4]), 1, 3, 2)).toThrow(ValueError);
    expect(() => narrow(iota([2, 4]), 1, 3, 2)).toThrow(
      'narrow: start 3 and length 2 do not fit in dim 1 of size 4 (x shape [2, 4])',
    );
    expect(() => narrow(iota([2, 4]), 2, 0, 1)).toThrow(/^narrow: axis 2 is out of range/);
  });
});

describe('concat and stack', () => {
  it('concat joins along an axis (torch oracle, dim 1)', () => {
    const x0 = tensor(
      [
        [0.041740219970203406, 1.2280332240857035, 0.8167591102670204],
        [-0.8105868645796134, -0.004541586428268926, -0.16828312048521624],
      ],
      'float64',
    );
    const x1 = tensor(
      [
        [1.4032641259079794, -0.39660129892841695],
        [-0.5199021859159129, -0.367497972603774],
      ],
      'float64',
    );
    const y = concat([x0, x1], 1);
    expect(y.shape).toEqual([2, 5]);
    expect(values(y)).toEqual([
      0.041740219970203406, 1.2280332240857035, 0.8167591102670204, 1.4032641259079794, -0.39660129892841695,
      -0.8105868645796134, -0.004541586428268926, -0.16828312048521624, -0.5199021859159129,
      -0.367497972603774,
    ]);
  });

  it('concat on axis 0 and -1 with three inputs; promotes dtypes', () => {
    expect(concat([tensor([[1, 2]]), tensor([[3, 4]])]).arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const y = concat([iota([2, 1, 1]), iota([2, 1, 2]), iota([2, 1, 3])], -1);
    expect(y.shape).toEqual([2, 1, 6]);
    expect(values(y)).toEqual([0, 0, 1, 0, 1, 2, 1, 2, 3, 3, 4, 5]);
    const mixed = concat([tensor([1, 2], 'int32'), tensor([0.5])]);
    expect(mixed.dtype).toBe('float32');
    expect(values(mixed)).toEqual([1, 2, 0.5]);
    // long runs (>= 32 elements) go through TypedArray.set
    const big = concat([iota([2, 40], 'int32'), iota([1, 40], 'int32')]);
    expect(values(big)[80]).toBe(0);
    expect(values(big)[79]).toBe(79);
  });

  it('concat rejects mismatched shapes, 0-d tensors and empty lists', () => {
    expect(() => concat([iota([2, 3]), iota([2, 4])], 0)).toThrow(ShapeError);
    expect(() => concat([iota([2, 3]), iota([2, 4])], 0)).toThrow(
      'concat: xs[1] has shape [2, 4], expected [*, 3] (like xs[0] except on axis 0)',
    );
    expect(() => concat([iota([2, 3]), iota([3])], 0)).toThrow(ShapeError);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(/^concat: cannot concatenate 0-d tensors/);
    expect(() => concat([])).toThrow('concat: expected a non-empty array of tensors, got an empty array');
  });

  it('stack adds a new axis (torch oracle, dim 1)', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([
      [7, 8, 9],
      [10, 11, 12],
    ]);
    expect(stack([a, b]).shape).toEqual([2, 2, 3]);
    const s1 = stack([a, b], 1);
    expect(s1.arraySync()).toEqual([
      [
        [1, 2, 3],
        [7, 8, 9],
      ],
      [
        [4, 5, 6],
        [10, 11, 12],
      ],
    ]);
    expect(stack([a, b], -1).arraySync()).toEqual([
      [
        [1, 7],
        [2, 8],
        [3, 9],
      ],
      [
        [4, 10],
        [5, 11],
        [6, 12],
      ],
    ]);
    expect(stack([tensor(1), tensor(2)]).arraySync()).toEqual([1, 2]);
  });

  it('stack rejects different shapes', () => {
    expect(() => stack([iota([2, 3]), iota([3, 2])])).toThrow(
      'stack: xs[1] has shape [3, 2], expected [2, 3] like xs[0]',
    );
    expect(() => stack([iota([2])], 2)).toThrow(/^stack: axis 2 is out of range/);
  });
});

describe('split and chunk', () => {
  const x = iota([5, 2]);

  it('split by size leaves a smaller last piece', () => {
    const parts = split(x, 2);
    expect(parts.map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(values(parts[2])).toEqual([8, 9]);
    expect(split(x, 1, 1).map(values)).toEqual([
      [0, 2, 4, 6, 8],
      [1, 3, 5, 7, 9],
    ]);
  });

  it('split by sections', () => {
    const parts = split(x, [1, 0, 4]);
    expect(parts.map((p) => p.shape)).toEqual([
      [1, 2],
      [0, 2],
      [4, 2],
    ]);
    expect(values(parts[2])).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => split(x, [1, 2])).toThrow(ValueError);
    expect(() => split(x, [1, 2])).toThrow(/^split: sections \[1, 2\] must be non-negative and sum to 5/);
    expect(() => split(x, 0)).toThrow(
      'split: split size must be a positive integer, got 0 (dim 0 has size 5)',
    );
  });

  it('chunk gives ceil(n / chunks)-sized pieces, possibly fewer than asked, like torch', () => {
    expect(chunk(x, 3).map((p) => p.shape[0])).toEqual([2, 2, 1]);
    expect(chunk(iota([6]), 4).map((p) => p.shape[0])).toEqual([2, 2, 2]);
    expect(chunk(iota([0, 3]), 3).map((p) => p.shape)).toEqual([
      [0, 3],
      [0, 3],
      [0, 3],
    ]);
    expect(() => chunk(x, 0)).toThrow('chunk: chunks must be >= 1, got 0');
  });
});

describe('pad', () => {
  it('pads the last dims with a constant', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(pad(x, [[1, 0]], 9).arraySync()).toEqual([
      [9, 1, 2],
      [9, 3, 4],
    ]);
    expect(
      pad(x, [
        [0, 1],
        [1, 1],
      ]).arraySync(),
    ).toEqual([
      [0, 1, 2, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
    ]);
    const xi = pad(tensor([1, 2], 'int32'), [[2, 0]], -1);
    expect(xi.dtype).toBe('int32');
    expect(values(xi)).toEqual([-1, -1, 1, 2]);
  });

  it('negative pads crop', () => {
    const x = iota([2, 4]);
    expect(pad(x, [[-1, 1]]).arraySync()).toEqual([
      [1, 2, 3, 0],
      [5, 6, 7, 0],
    ]);
    expect(
      pad(x, [
        [0, -1],
        [-1, -2],
      ]).arraySync(),
    ).toEqual([[1]]);
  });

  it('rejects too many pairs and over-cropping', () => {
    expect(() =>
      pad(iota([2]), [
        [0, 0],
        [1, 1],
      ]),
    ).toThrow(ShapeError);
    expect(() =>
      pad(iota([2]), [
        [0, 0],
        [1, 1],
      ]),
    ).toThrow('pad: got 2 [before, after] pairs for x of rank 1 [2]');
    expect(() => pad(iota([2]), [[-2, -1]])).toThrow(
      /^pad: pads \[-2, -1\] crop more than the 2 entries of dim 0/,
    );
    expect(() => pad(iota([2]), [[0.5, 1] as unknown as [number, number]])).toThrow(ValueError);
  });
});

describe('gather', () => {
  it('matches torch.gather on the oracle cases (dim 1 and dim 0)', () => {
    const x1 = tensor(
      [
        -0.47368704189440075, -0.13948542239170553, 1.3610511694657679, 0.40235936750590867,
        0.44109041801063464, 0.7284972752515667, 1.0915125593069852, -0.9378069846509469, 1.189657168623172,
        -1.2759107830991632, -0.9483867198509268, -0.0035109605513132403,
      ],
      { shape: [3, 4], dtype: 'float64' },
    );
    const i1 = tensor([0, 3, 2, 2, 1, 0], { shape: [3, 2], dtype: 'int32' });
    expect(values(gather(x1, 1, i1))).toEqual([
      -0.47368704189440075, 0.40235936750590867, 1.0915125593069852, 1.0915125593069852, -1.2759107830991632,
      1.189657168623172,
    ]);
    const x0 = tensor(
      [
        -0.5715522873732813, 1.7725093456318752, 0.9704413903399705, -0.8341359278005787, 1.7020715413417995,
        -0.30034044003896937, 0.7042311696175949, 1.0104884952251916, -1.533442706637859, 0.35375098054147486,
        0.8337692583993545, 0.05897968133443617,
      ],
      { shape: [3, 4], dtype: 'float64' },
    );
    const i0 = tensor([2, 0, 1, 1, 0, 0, 2, 1], { shape: [2, 4], dtype: 'int32' });
    expect(values(gather(x0, 0, i0))).toEqual([
      -1.533442706637859, 1.7725093456318752, 0.7042311696175949, 1.0104884952251916, -0.5715522873732813,
      1.7725093456318752, 0.8337692583993545, 1.0104884952251916,
    ]);
  });

  it('works in 3-D with an index smaller than x, and casts whole-number float indices', () => {
    const x = iota([2, 3, 4], 'int32');
    const idx = tensor(
      [
        [[3], [0]],
        [[1], [2]],
      ],
      'int32',
    ); // [2, 2, 1]
    const y = gather(x, 2, idx);
    expect(y.dtype).toBe('int32');
    expect(y.arraySync()).toEqual([
      [[3], [4]],
      [[13], [18]],
    ]);
    expect(gather(tensor([10, 20, 30]), 0, tensor([2, 0])).arraySync()).toEqual([30, 10]);
    expect(gather(tensor(7), 0, tensor(0, 'int32')).arraySync()).toBe(7);
  });

  it('rejects negative and out-of-range indices, bad dtypes and shapes', () => {
    const x = iota([3, 4]);
    const neg = tensor([[0], [-1], [0]], 'int32');
    expect(() => gather(x, 1, neg)).toThrow(ValueError);
    expect(() => gather(x, 1, neg)).toThrow(
      'gather: index -1 is out of bounds for dim 1 of size 4 (x shape [3, 4]); valid indices are 0 to 3',
    );
    expect(() => gather(x, 1, tensor([[4]], 'int32'))).toThrow(/^gather: index 4 is out of bounds for dim 1/);
    expect(() => gather(x, 1, tensor([[true]]))).toThrow(DTypeError);
    expect(() => gather(x, 1, tensor([[0.5]]))).toThrow(
      /^gather: expected 'index' to hold whole numbers, got 0.5/,
    );
    expect(() => gather(x, 1, tensor([0], 'int32'))).toThrow(
      'gather: expected index of rank 2 like x [3, 4], got [1]',
    );
    expect(() => gather(x, 1, tensor([[0], [0], [0], [0]], 'int32'))).toThrow(ShapeError);
  });
});

describe('indexSelect', () => {
  it('matches torch.index_select with repeated indices (oracle, dim 0)', () => {
    const x = tensor(
      [
        1.6269044292642527, 0.003075935139872671, 1.1981601605314998, 1.5248318844287967, -0.3156986358327652,
        0.9024197492892716, 0.9129779838420762, -0.44656652814739517, -0.03784716447241844,
        -1.1052136076903043, 0.45124650899472263, 1.3292570676549027,
      ],
      { shape: [4, 3], dtype: 'float64' },
    );
    const y = indexSelect(x, 0, tensor([2, 0, 2, 3], 'int32'));
    expect(values(y)).toEqual([
      0.9129779838420762, -0.44656652814739517, -0.03784716447241844, 1.6269044292642527,
      0.003075935139872671, 1.1981601605314998, 0.9129779838420762, -0.44656652814739517,
      -0.03784716447241844, -1.1052136076903043, 0.45124650899472263, 1.3292570676549027,
    ]);
  });

  it('selects along an inner axis', () => {
    const x = iota([2, 5, 3]);
    const y = indexSelect(x, 1, tensor([4, 1], 'int32'));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(values(y)).toEqual([12, 13, 14, 3, 4, 5, 27, 28, 29, 18, 19, 20]);
  });

  it('rejects bad indices', () => {
    expect(() => indexSelect(iota([4, 3]), 0, tensor([-1], 'int32'))).toThrow(
      'indexSelect: index -1 is out of bounds for dim 0 of size 4 (x shape [4, 3]); valid indices are 0 to 3',
    );
    expect(() => indexSelect(iota([4, 3]), 0, tensor([[0]], 'int32'))).toThrow(
      'indexSelect: expected index of rank 1, got [1, 1]',
    );
  });
});

describe('scatterAdd', () => {
  it('adds src into a copy of x at the index, accumulating repeats', () => {
    const x = tensor([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    const index = tensor(
      [
        [0, 2, 0],
        [1, 1, 1],
      ],
      'int32',
    );
    const src = tensor([
      [10, 20, 30],
      [1, 2, 3],
    ]);
    expect(scatterAdd(x, 1, index, src).arraySync()).toEqual([
      [41, 1, 21],
      [1, 7, 1],
    ]);
    // dim 0, and src larger than the index: only src[:1, :2] is used
    const y = scatterAdd(
      tensor([
        [0, 0],
        [0, 0],
      ]),
      0,
      tensor([[1, 0]], 'int32'),
      tensor([
        [5, 6, 7],
        [8, 9, 10],
      ]),
    );
    expect(y.arraySync()).toEqual([
      [0, 6],
      [5, 0],
    ]);
    expect(values(x)).toEqual([1, 1, 1, 1, 1, 1]); // out of place
  });

  it('rejects mismatched dtypes, shapes and indices', () => {
    const x = iota([2, 3]);
    const i = tensor([[0], [1]], 'int32');
    expect(() => scatterAdd(x, 1, i, tensor([[1], [2]], 'int32'))).toThrow(
      'scatterAdd: expected src of dtype float32 like x, got int32',
    );
    expect(() => scatterAdd(x, 1, tensor([[3], [0]], 'int32'), iota([2, 1]))).toThrow(
      /^scatterAdd: index 3 is out of bounds for dim 1 of size 3/,
    );
    expect(() => scatterAdd(x, 1, i, iota([1, 1]))).toThrow(ShapeError);
  });
});

describe('oneHot', () => {
  it('encodes class indices along a new last dim', () => {
    const y = oneHot(tensor([2, 0, 1], 'int32'), 4);
    expect(y.dtype).toBe('float32');
    expect(y.arraySync()).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    const inferred = oneHot(tensor([[1], [3]], 'int32'), -1, 'int32');
    expect(inferred.shape).toEqual([2, 1, 4]);
    expect(inferred.dtype).toBe('int32');
  });

  it('rejects indices outside [0, numClasses)', () => {
    expect(() => oneHot(tensor([0, 3], 'int32'), 3)).toThrow('oneHot: class index 3 is out of range [0, 3)');
    expect(() => oneHot(tensor([-1], 'int32'), 3)).toThrow(ValueError);
  });
});

describe('maxDim and minDim', () => {
  const x = tensor([
    [1, 5, 5, 2],
    [7, 0, 3, 0],
  ]);

  it('return values and first indices along an axis', () => {
    const m = maxDim(x, 1);
    expect(m.values.arraySync()).toEqual([5, 7]);
    expect(m.indices.dtype).toBe('int32');
    expect(m.indices.arraySync()).toEqual([1, 0]);
    const n = minDim(x, -1, true);
    expect(n.values.arraySync()).toEqual([[1], [0]]);
    expect(n.indices.arraySync()).toEqual([[0], [1]]);
    expect(maxDim(x, 0).values.arraySync()).toEqual([7, 5, 5, 2]);
    const s = maxDim(tensor(3), 0);
    expect(s.values.shape).toEqual([]);
    expect(s.indices.item()).toBe(0);
  });

  it('rejects empty axes and bad axes', () => {
    expect(() => maxDim(iota([2, 0]), 1)).toThrow(
      'maxDim: cannot reduce over dim 1 of size 0 (x shape [2, 0])',
    );
    expect(() => minDim(x, 2)).toThrow(/^minDim: axis 2 is out of range/);
  });
});

describe('tile', () => {
  it('repeats along each dim like torch.tile', () => {
    expect(tile(tensor([1, 2, 3]), [2]).arraySync()).toEqual([1, 2, 3, 1, 2, 3]);
    expect(
      tile(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        [2, 2],
      ).arraySync(),
    ).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    // fewer reps than dims: leading 1s; more reps: x gains leading dims
    expect(tile(tensor([[1, 2]]), [3]).arraySync()).toEqual([[1, 2, 1, 2, 1, 2]]);
    expect(tile(tensor([1, 2]), [2, 1]).arraySync()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(tile(tensor([1, 2]), [0]).shape).toEqual([0]);
    expect(() => tile(tensor([1]), [-1])).toThrow('tile: reps must be non-negative, got [-1]');
  });
});

describe('memory', () => {
  it('movement ops free their temporaries', () => {
    const x = iota([4, 6]);
    const before = memory().numTensors;
    tidy(() => {
      slice(x, [1, 0], [3, 6], [1, 2]);
      pad(x, [[-1, 2]]);
      split(x, 4, 1);
      indexSelect(x, 1, tensor([0, 5, 5], 'int32'));
      scatterAdd(x, 0, tensor([[3, 0, 1, 1, 2, 0]]), iota([1, 6]));
      maxDim(x, 1);
      tile(x, [2, 1, 1]);
      oneHot(tensor([1, 2]), 3);
    });
    expect(memory().numTensors).toBe(before);
  });
});
