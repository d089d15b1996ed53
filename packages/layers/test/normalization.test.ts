import { checkGradients, grad } from '@axon/autograd';
import { BatchNorm1d, BatchNorm2d, batchNorm, fromSpec, LayerNorm, layerNorm, specOf } from '@axon/layers';
import {
  DTypeError,
  memory,
  mul,
  permute,
  reshape,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { expectClose as sharedExpectClose } from '@axon/testing';
import { describe, expect, it } from 'vitest';

/** The shared `expectClose` (@axon/testing): |got − expected| <= tol · (1 + |expected|). */
function expectClose(t: Tensor, expected: number[], tol = 1e-5): void {
  sharedExpectClose(t, expected, { rtol: tol, atol: tol });
}

const EPS = 1e-5;
// x [4, 2]: channel 0 = 1, 3, 5, 7 (mean 4, biased var 5, unbiased 20/3);
//           channel 1 = 2, 4, 0, 2 (mean 2, biased var 2, unbiased 8/3).
const X = [
  [1, 2],
  [3, 4],
  [5, 0],
  [7, 2],
];

describe('BatchNorm1d', () => {
  it('normalises with the batch statistics in training mode (biased variance)', () => {
    const bn = new BatchNorm1d(2);
    const y = bn.forward(tensor(X));
    const s0 = Math.sqrt(5 + EPS);
    const s1 = Math.sqrt(2 + EPS);
    expectClose(y, [-3 / s0, 0, -1 / s0, 2 / s1, 1 / s0, -2 / s1, 3 / s0, 0]);
  });

  it('updates the running statistics over several steps (unbiased variance), then eval uses them', () => {
    const bn = new BatchNorm1d(2);
    const x = tensor(X);
    bn.forward(x); // step 1: batch means [4, 2], unbiased vars [20/3, 8/3]
    expectClose(bn.runningMean!, [0.4, 0.2]);
    expectClose(bn.runningVar!, [0.9 + 2 / 3, 0.9 + 0.8 / 3]);
    bn.forward(mul(x, 2)); // step 2: means [8, 4], unbiased vars [80/3, 32/3]
    expectClose(bn.runningMean!, [1.16, 0.58]);
    expectClose(bn.runningVar!, [0.9 * (0.9 + 2 / 3) + 8 / 3, 0.9 * (0.9 + 0.8 / 3) + 3.2 / 3]);
    bn.forward(x.add(10)); // step 3: means [14, 12], unbiased vars [20/3, 8/3]
    const rm = [0.9 * 1.16 + 1.4, 0.9 * 0.58 + 1.2];
    const rv = [
      0.9 * (0.9 * (0.9 + 2 / 3) + 8 / 3) + 2 / 3,
      0.9 * (0.9 * (0.9 + 0.8 / 3) + 3.2 / 3) + 0.8 / 3,
    ];
    expectClose(bn.runningMean!, rm); // [2.444, 1.722]
    expectClose(bn.runningVar!, rv);
    expect(bn.numBatchesTracked!.item()).toBe(3);

    bn.eval();
    const y = bn.forward(x);
    const expected = X.flatMap((row) => row.map((v, c) => (v - rm[c]) / Math.sqrt(rv[c] + EPS)));
    expectClose(y, expected);
    // Eval leaves the buffers alone.
    expectClose(bn.runningMean!, rm);
    expect(bn.numBatchesTracked!.item()).toBe(3);
  });

  it('gives different outputs in train and eval mode, with the affine parameters applied', () => {
    const bn = new BatchNorm1d(2);
    tidy(() =>
      bn.loadStateDict({
        weight: tensor([2, -1]),
        bias: tensor([0.5, 1]),
        running_mean: tensor([1, -1]),
        running_var: tensor([4, 0.25]),
        num_batches_tracked: tensor(7, 'int32'),
      }),
    );
    bn.eval();
    const x = tensor([
      [3, 0],
      [-1, 1],
    ]);
    const evalOut = bn.forward(x);
    const sv = [Math.sqrt(4 + EPS), Math.sqrt(0.25 + EPS)];
    expectClose(evalOut, [
      (2 * 2) / sv[0] + 0.5,
      (-1 * 1) / sv[1] + 1,
      (2 * -2) / sv[0] + 0.5,
      (-1 * 2) / sv[1] + 1,
    ]);
    bn.train();
    const trainOut = bn.forward(x);
    // batch: channel 0 = 3, -1 (mean 1, var 4); channel 1 = 0, 1 (mean 0.5, var 0.25)
    expectClose(trainOut, [
      (2 * 2) / sv[0] + 0.5,
      (-1 * -0.5) / sv[1] + 1,
      (2 * -2) / sv[0] + 0.5,
      (-1 * 0.5) / sv[1] + 1,
    ]);
    expect(bn.numBatchesTracked!.item()).toBe(8);
  });

  it('takes [N, C, L], with statistics over N and L', () => {
    const bn3 = new BatchNorm1d(3);
    const bn2 = new BatchNorm1d(3);
    const x = tensor(
      Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i * 1.7) * 3 + i / 5),
      { shape: [2, 3, 4] },
    );
    const y3 = bn3.forward(x);
    // The same as [N·L, C].
    const flat = reshape(permute(x, [0, 2, 1]), [8, 3]);
    const y2 = bn2.forward(flat);
    expectClose(reshape(permute(y3, [0, 2, 1]), [8, 3]), Array.from(y2.dataSync()));
    expectClose(bn3.runningMean!, Array.from(bn2.runningMean!.dataSync()));
    expectClose(bn3.runningVar!, Array.from(bn2.runningVar!.dataSync()));
  });

  it('keeps a cumulative average when momentum is null', () => {
    const bn = new BatchNorm1d(2, { momentum: null });
    bn.forward(tensor(X));
    bn.forward(mul(tensor(X), 2));
    expectClose(bn.runningMean!, [6, 3]);
    expectClose(bn.runningVar!, [50 / 3, 20 / 3]);
  });

  it('without running stats uses batch statistics in eval too, and has no buffers', () => {
    const bn = new BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect(Object.keys(bn.stateDict())).toEqual([]);
    bn.eval();
    const y = bn.forward(tensor(X));
    const s0 = Math.sqrt(5 + EPS);
    expectClose(reshape(y, [8]).slice([0], [1]), [-3 / s0]);
  });

  it('names its state as torch and starts from torch defaults', () => {
    const bn = new BatchNorm1d(3);
    expect(Object.keys(bn.stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    expect(bn.parameters()).toHaveLength(2);
    expectClose(bn.weight!, [1, 1, 1]);
    expectClose(bn.bias!, [0, 0, 0]);
    expectClose(bn.runningMean!, [0, 0, 0]);
    expectClose(bn.runningVar!, [1, 1, 1]);
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
  });

  it('updates the running stats without recording gradients, and frees its temporaries', () => {
    const bn = new BatchNorm1d(2);
    const x = tensor(X);
    const [gx] = grad((xi: Tensor) => sum(mul(bn.forward(xi), tensor([[1, 2]]))))(x);
    expect(gx.shape).toEqual([4, 2]);
    expect(bn.runningMean!.requiresGrad).toBe(false);
    expect(bn.runningVar!.requiresGrad).toBe(false);
    expectClose(bn.runningMean!, [0.4, 0.2]);
    const before = memory().numTensors;
    tidy(() => {
      bn.forward(x);
    });
    bn.eval();
    tidy(() => {
      bn.forward(x);
    });
    expect(memory().numTensors).toBe(before);
  });

  it('round-trips its config through specOf / fromSpec', () => {
    const bn = new BatchNorm1d(5, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: true });
    const spec = specOf(bn);
    expect(spec).toEqual({
      type: 'BatchNorm1d',
      config: { numFeatures: 5, eps: 1e-3, momentum: null, affine: false, trackRunningStats: true },
    });
    const copy = fromSpec(JSON.parse(JSON.stringify(spec))) as BatchNorm1d;
    expect(copy).toBeInstanceOf(BatchNorm1d);
    expect(copy.config()).toEqual(bn.config());
    expect(Object.keys(copy.stateDict())).toEqual(Object.keys(bn.stateDict()));
  });

  it('rejects bad inputs with the layer name and the shapes', () => {
    const bn = new BatchNorm1d(4);
    expect(() => bn.forward(tensor([[1, 2, 3, 4, 5]]))).toThrow(ShapeError);
    expect(() => bn.forward(tensor([[1, 2, 3, 4, 5]]))).toThrow(
      'BatchNorm1d: expected input [N, 4] or [N, 4, L], got [1, 5]',
    );
    expect(() => bn.forward(tensor([1, 2, 3, 4]))).toThrow('got [4]');
    expect(() => bn.forward(tensor([[1, 2, 3, 4]]))).toThrow(/more than 1 value per channel/);
    expect(() => new BatchNorm1d(0)).toThrow(ValueError);
    expect(() => bn.forward(tensor([[1, 2, 3, 4]], 'int32'))).toThrow(DTypeError);
  });
});

describe('BatchNorm2d', () => {
  // x [2, 2, 1, 2]: channel 0 = 1, 2, 3, 4 (mean 2.5, var 1.25, unbiased 5/3);
  //                 channel 1 = 0, 0, 2, −2 (mean 0, var 2, unbiased 8/3).
  const x = () =>
    tensor([
      [[[1, 2]], [[0, 0]]],
      [[[3, 4]], [[2, -2]]],
    ]);

  it('normalises per channel over N, H, W with the affine parameters', () => {
    const bn = new BatchNorm2d(2);
    tidy(() => bn.loadStateDict({ ...bn.stateDict(), weight: tensor([2, 1]), bias: tensor([0, 1]) }));
    const y = bn.forward(x());
    const s0 = Math.sqrt(1.25 + EPS);
    const s1 = Math.sqrt(2 + EPS);
    expectClose(y, [
      (-1.5 * 2) / s0,
      (-0.5 * 2) / s0,
      1,
      1,
      (0.5 * 2) / s0,
      (1.5 * 2) / s0,
      2 / s1 + 1,
      -2 / s1 + 1,
    ]);
    expectClose(bn.runningMean!, [0.25, 0]);
    expectClose(bn.runningVar!, [0.9 + 0.5 / 3, 0.9 + 0.8 / 3]);
  });

  it('uses the running statistics in eval mode', () => {
    const bn = new BatchNorm2d(2);
    bn.forward(x());
    bn.eval();
    const y = bn.forward(x());
    const rm = [0.25, 0];
    const rv = [0.9 + 0.5 / 3, 0.9 + 0.8 / 3];
    const values = [1, 2, 0, 0, 3, 4, 2, -2];
    const chan = [0, 0, 1, 1, 0, 0, 1, 1];
    expectClose(
      y,
      values.map((v, i) => (v - rm[chan[i]]) / Math.sqrt(rv[chan[i]] + EPS)),
    );
  });

  it('rejects inputs that are not [N, C, H, W]', () => {
    const bn = new BatchNorm2d(3);
    expect(() => bn.forward(tensor([[1, 2, 3]]))).toThrow(
      'BatchNorm2d: expected input [N, 3, H, W], got [1, 3]',
    );
    expect(() => bn.forward(x())).toThrow('got [2, 2, 1, 2]');
  });

  it('round-trips its config', () => {
    const bn = new BatchNorm2d(3, { momentum: 0.3 });
    const copy = fromSpec(specOf(bn));
    expect(copy).toBeInstanceOf(BatchNorm2d);
    expect(copy.config()).toEqual({
      numFeatures: 3,
      eps: 1e-5,
      momentum: 0.3,
      affine: true,
      trackRunningStats: true,
    });
  });
});

describe('batchNorm (functional)', () => {
  const xs = tensor(
    Array.from({ length: 3 * 2 * 2 * 2 }, (_, i) => Math.cos(i * 0.9) * 2 + i / 7),
    { shape: [3, 2, 2, 2], dtype: 'float64' },
  );
  const w = tensor([1.5, -0.7], 'float64');
  const b = tensor([0.2, 0.3], 'float64');

  it('has correct gradients through the batch statistics (training)', () => {
    const r = checkGradients((x, wi, bi) => batchNorm(x, null, null, wi, bi, { training: true }), [xs, w, b]);
    expect(r.ok, r.message).toBe(true);
  });

  it('has correct gradients in eval mode, running statistics included', () => {
    const rm = tensor([0.3, -0.2], 'float64');
    const rv = tensor([1.7, 0.6], 'float64');
    const r = checkGradients(
      (x, m, v, wi, bi) => batchNorm(x, m, v, wi, bi, { training: false }),
      [xs, rm, rv, w, b],
    );
    expect(r.ok, r.message).toBe(true);
  });

  it('has correct gradients for [N, C]', () => {
    const x2 = tensor(X, 'float64');
    const r = checkGradients(
      (x, wi, bi) => batchNorm(x, null, null, wi, bi, { training: true, eps: 1e-3 }),
      [x2, w, b],
    );
    expect(r.ok, r.message).toBe(true);
  });

  it('validates its arguments', () => {
    expect(() => batchNorm(tensor([[1, 2]]), null, null)).toThrow(/runningMean and runningVar are required/);
    expect(() =>
      batchNorm(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        null,
        null,
        tensor([1, 2, 3]),
        null,
        { training: true },
      ),
    ).toThrow("batchNorm: expected 'weight' of shape [2], got [3]");
    expect(() =>
      batchNorm(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([0, 0]),
        null,
        null,
        null,
        { training: true },
      ),
    ).toThrow(/both runningMean and runningVar/);
  });
});

describe('LayerNorm', () => {
  it('normalises over the last dim (biased variance)', () => {
    const ln = new LayerNorm(4);
    // [1, 2, 3, 4]: mean 2.5, var 1.25; [2, 2, 2, 6]: mean 3, var 3
    const y = ln.forward(
      tensor([
        [1, 2, 3, 4],
        [2, 2, 2, 6],
      ]),
    );
    const s = Math.sqrt(1.25 + EPS);
    const t = Math.sqrt(3 + EPS);
    expectClose(y, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, -1 / t, -1 / t, -1 / t, 3 / t]);
  });

  it('normalises over the last two dims, with weight and bias of that shape', () => {
    const ln = new LayerNorm([2, 2]);
    tidy(() =>
      ln.loadStateDict({
        weight: tensor([
          [1, 2],
          [3, 4],
        ]),
        bias: tensor([
          [0, 0],
          [1, 1],
        ]),
      }),
    );
    // one sample [[1, 2], [3, 4]] and one [[0, 0], [0, 4]] (mean 1, var 3)
    const y = ln.forward(
      tensor([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 0],
          [0, 4],
        ],
      ]),
    );
    const s = Math.sqrt(1.25 + EPS);
    const t = Math.sqrt(3 + EPS);
    expectClose(y, [
      -1.5 / s,
      (-0.5 * 2) / s,
      (0.5 * 3) / s + 1,
      (1.5 * 4) / s + 1,
      -1 / t,
      -2 / t,
      -3 / t + 1,
      12 / t + 1,
    ]);
  });

  it('names its parameters as torch, with torch defaults; none without affine', () => {
    const ln = new LayerNorm([3, 2]);
    expect(Object.keys(ln.stateDict())).toEqual(['weight', 'bias']);
    expect(ln.weight!.shape).toEqual([3, 2]);
    expectClose(ln.weight!, [1, 1, 1, 1, 1, 1]);
    expectClose(ln.bias!, [0, 0, 0, 0, 0, 0]);
    expect(Object.keys(new LayerNorm(3, { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(Object.keys(new LayerNorm(3, { bias: false }).stateDict())).toEqual(['weight']);
  });

  it('round-trips its config', () => {
    const ln = new LayerNorm([4, 5], { eps: 1e-6, elementwiseAffine: false });
    const copy = fromSpec(JSON.parse(JSON.stringify(specOf(ln))));
    expect(copy).toBeInstanceOf(LayerNorm);
    expect(copy.config()).toEqual({
      normalizedShape: [4, 5],
      eps: 1e-6,
      elementwiseAffine: false,
      bias: true,
    });
  });

  it('rejects an input whose trailing dims differ', () => {
    const ln = new LayerNorm([3, 8]);
    expect(() => ln.forward(tensor(new Float32Array(2 * 4 * 8), { shape: [2, 4, 8] }))).toThrow(ShapeError);
    expect(() => ln.forward(tensor(new Float32Array(2 * 4 * 8), { shape: [2, 4, 8] }))).toThrow(
      'LayerNorm: expected input [..., 3, 8], got [2, 4, 8]',
    );
    expect(() => new LayerNorm([0])).toThrow(ValueError);
  });

  it('has correct gradients (functional core, all parameters as inputs)', () => {
    const x = tensor(
      Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i * 1.3) + i / 9),
      {
        shape: [2, 3, 4],
        dtype: 'float64',
      },
    );
    const w = tensor(
      Array.from({ length: 12 }, (_, i) => 1 + i / 10),
      { shape: [3, 4], dtype: 'float64' },
    );
    const b = tensor(
      Array.from({ length: 12 }, (_, i) => i / 20 - 0.3),
      { shape: [3, 4], dtype: 'float64' },
    );
    const r1 = checkGradients((xi, wi, bi) => layerNorm(xi, [3, 4], wi, bi), [x, w, b]);
    expect(r1.ok, r1.message).toBe(true);
    const r2 = checkGradients((xi) => layerNorm(xi, 4), [x]);
    expect(r2.ok, r2.message).toBe(true);
  });
});
