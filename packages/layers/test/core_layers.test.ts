import {
  AvgPool2d,
  Conv2d,
  ConvTranspose2d,
  ELU,
  Flatten,
  GELU,
  LeakyReLU,
  Linear,
  LogSoftmax,
  linear,
  MaxPool2d,
  MinPool2d,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  Softmax,
  Softplus,
  Step,
  Tanh,
  Upsample,
} from '@axon/layers';
import {
  arange,
  avgPool2d,
  conv2d,
  convTranspose2d,
  elu,
  gelu,
  leakyRelu,
  logSoftmax,
  manualSeed,
  maxPool2d,
  minPool2d,
  ones,
  relu,
  reshape,
  ShapeError,
  sigmoid,
  softmax,
  softplus,
  step,
  sum,
  type Tensor,
  tanh,
  tensor,
  tidy,
  upsample,
  ValueError,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import {
  expectClose,
  expectGradientsMatch,
  expectNoLeak,
  expectRoundTrip,
  rand64,
  values,
} from './core_helpers';

/** Every value lies in [-bound, bound] and the spread reaches most of it (a uniform draw). */
function expectUniformBound(t: Tensor, bound: number): void {
  const v = values(t);
  const absMax = Math.max(...v.map(Math.abs));
  expect(absMax).toBeLessThanOrEqual(bound * (1 + 1e-6));
  expect(absMax).toBeGreaterThan(bound * 0.8);
}

describe('Linear', () => {
  it('computes x Wᵀ + b over the last axis, with leading dims and 1-D input', () => {
    const layer = new Linear(2, 3);
    layer.loadStateDict({
      weight: tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      bias: tensor([0.5, -1, 0]),
    });
    const x = tensor([
      [1, 1],
      [2, -1],
    ]);
    expectClose(layer.forward(x), [3.5, 6, 11, 0.5, 1, 4]);
    const y3 = layer.forward(reshape(x, [2, 1, 2]));
    expect(y3.shape).toEqual([2, 1, 3]);
    expectClose(y3, [3.5, 6, 11, 0.5, 1, 4]);
    const y1 = layer.forward(tensor([1, 1]));
    expect(y1.shape).toEqual([3]);
    expectClose(y1, [3.5, 6, 11]);
    layer.dispose();
  });

  it('has PyTorch state names, shapes and default init U(±1/√in)', () => {
    manualSeed(1);
    const layer = new Linear(16, 300);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    expect(layer.weight.shape).toEqual([300, 16]);
    expect(layer.bias?.shape).toEqual([300]);
    expectUniformBound(layer.weight, 1 / 4);
    expectUniformBound(layer.bias as Tensor, 1 / 4);
    const noBias = new Linear(4, 3, { bias: false });
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
    expect(noBias.bias).toBeNull();
    layer.dispose();
    noBias.dispose();
  });

  it('validates its input, naming the layer and the shapes', () => {
    const layer = new Linear(4, 3);
    expect(() => layer.forward(zeros([2, 5]))).toThrow(ShapeError);
    expect(() => layer.forward(zeros([2, 5]))).toThrow('Linear: expected input [..., 4], got [2, 5]');
    expect(() => layer.forward(zeros([]))).toThrow('Linear: expected input [..., 4], got []');
    expect(() => new Linear(-1, 3)).toThrow(ValueError);
    expect(() => new Linear(2.5, 3)).toThrow('Linear: expected inFeatures to be an integer >= 1, got 2.5');
    expect(() => linear(zeros([2, 4]), zeros([3, 4]), zeros([4]))).toThrow(
      'linear: expected bias [3], got [4]',
    );
    layer.dispose();
  });

  it('round-trips its config through fromSpec(specOf(...))', () => {
    const layer = new Linear(4, 3, { bias: false });
    expect(layer.config()).toEqual({ inFeatures: 4, outFeatures: 3, bias: false });
    expectRoundTrip(layer, rand64([2, 4]));
    layer.dispose();
  });

  it('linear(x, weight, bias): gradients match finite differences', () => {
    expectGradientsMatch(
      (x, w, b) => linear(x, w, b),
      [rand64([3, 4], 1), rand64([2, 4], 2), rand64([2], 3)],
    );
    expectGradientsMatch((x, w) => linear(x, w), [rand64([2, 3, 4], 4), rand64([5, 4], 5)]);
  });

  it('sends gradients to its parameters through backward() and leaks nothing', () => {
    const layer = new Linear(3, 2);
    const loss = tidy(() => {
      const l = sum(layer.forward(ones([4, 3])));
      l.backward();
      return l.item();
    });
    expect(Number.isFinite(loss)).toBe(true);
    expectClose(layer.bias?.grad as Tensor, [4, 4]);
    expectClose(layer.weight.grad as Tensor, [4, 4, 4, 4, 4, 4]);
    layer.zeroGrad();
    expectNoLeak(() => layer.forward(ones([4, 3])));
    layer.dispose();
  });
});

describe('Conv2d', () => {
  it('computes a cross-correlation plus bias, batched and unbatched', () => {
    const layer = new Conv2d(1, 1, 2);
    layer.loadStateDict({ weight: ones([1, 1, 2, 2]), bias: tensor([0.5]) });
    const x = reshape(arange(1, 10), [1, 1, 3, 3]);
    const y = layer.forward(x);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectClose(y, [12.5, 16.5, 24.5, 28.5]);
    const yu = layer.forward(reshape(x, [1, 3, 3]));
    expect(yu.shape).toEqual([1, 2, 2]);
    expectClose(yu, [12.5, 16.5, 24.5, 28.5]);
    layer.dispose();
  });

  it('has weight [out, in/groups, kh, kw], output shapes per options, and torch init', () => {
    manualSeed(2);
    const g = new Conv2d(4, 6, [3, 2], { groups: 2, stride: 2, padding: 1, bias: true });
    expect(g.weight.shape).toEqual([6, 2, 3, 2]);
    expect(Object.keys(g.stateDict())).toEqual(['weight', 'bias']);
    expect(g.forward(zeros([2, 4, 7, 6])).shape).toEqual([2, 6, 4, 4]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    expectUniformBound(g.weight, bound);
    expect(Math.max(...values(g.bias as Tensor).map(Math.abs))).toBeLessThanOrEqual(bound);
    const same = new Conv2d(3, 2, 4, { padding: 'same', dilation: 2, bias: false });
    expect(same.forward(zeros([1, 3, 5, 7])).shape).toEqual([1, 2, 5, 7]);
    expect(Object.keys(same.stateDict())).toEqual(['weight']);
    g.dispose();
    same.dispose();
  });

  it('validates its arguments and input', () => {
    const layer = new Conv2d(3, 4, 3);
    expect(() => layer.forward(zeros([1, 2, 5, 5]))).toThrow(ShapeError);
    expect(() => layer.forward(zeros([1, 2, 5, 5]))).toThrow(
      'Conv2d: expected input [N, 3, H, W] (or unbatched [3, H, W]), got [1, 2, 5, 5]',
    );
    expect(() => layer.forward(zeros([3, 5]))).toThrow('Conv2d: expected input [N, 3, H, W]');
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      'Conv2d: inChannels 3 must be divisible by groups 2',
    );
    expect(() => new Conv2d(4, 3, 3, { groups: 2 })).toThrow('outChannels 3 must be divisible by groups 2');
    expect(() => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow(
      "Conv2d: padding 'same' needs stride 1 (as in torch), got stride 2",
    );
    expect(() => new Conv2d(3, 4, 0)).toThrow('Conv2d: expected kernelSize to be an integer >= 1');
    layer.dispose();
  });

  it('round-trips its config', () => {
    const layer = new Conv2d(2, 4, [3, 1], { padding: 'same', dilation: [2, 1], groups: 2 });
    expect(layer.config()).toEqual({
      inChannels: 2,
      outChannels: 4,
      kernelSize: [3, 1],
      stride: 1,
      padding: 'same',
      dilation: [2, 1],
      groups: 2,
      bias: true,
    });
    expectRoundTrip(layer, rand64([1, 2, 5, 4]));
    layer.dispose();
    const strided = new Conv2d(2, 4, [3, 1], { stride: [1, 2], padding: [1, 0], groups: 2 });
    expectRoundTrip(strided, rand64([1, 2, 4, 4]));
    strided.dispose();
  });

  it('conv2d(x, weight, bias): gradients match finite differences', () => {
    expectGradientsMatch(
      (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 }),
      [rand64([2, 4, 5, 5], 1), rand64([2, 2, 3, 3], 2), rand64([2], 3)],
    );
  });
});

describe('ConvTranspose2d', () => {
  it('spreads each input pixel over the kernel', () => {
    const layer = new ConvTranspose2d(1, 1, 2, { stride: 2, bias: false });
    layer.loadStateDict({ weight: ones([1, 1, 2, 2]) });
    const y = layer.forward(
      tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
    );
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expectClose(y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    layer.dispose();
  });

  it('has weight [in, out/groups, kh, kw], torch output size and fan-in', () => {
    manualSeed(3);
    const layer = new ConvTranspose2d(6, 4, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
    expect(layer.weight.shape).toEqual([6, 2, 3, 3]);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    expect(layer.forward(zeros([2, 6, 4, 5])).shape).toEqual([2, 4, 8, 10]);
    expect(layer.forward(zeros([6, 4, 5])).shape).toEqual([4, 8, 10]);
    expectUniformBound(layer.weight, 1 / Math.sqrt(2 * 9));
    layer.dispose();
  });

  it('validates and round-trips', () => {
    expect(() => new ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 })).toThrow(
      'ConvTranspose2d: outputPadding 2 must be smaller than stride 2 or dilation 1',
    );
    const layer = new ConvTranspose2d(2, 3, [2, 3], { stride: [2, 1], padding: [0, 1], bias: false });
    expect(() => layer.forward(zeros([1, 3, 4, 4]))).toThrow(
      'ConvTranspose2d: expected input [N, 2, H, W] (or unbatched [2, H, W]), got [1, 3, 4, 4]',
    );
    expectRoundTrip(layer, rand64([1, 2, 3, 3]));
    layer.dispose();
  });

  it('convTranspose2d(x, weight, bias): gradients match finite differences', () => {
    expectGradientsMatch(
      (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
      [rand64([1, 2, 3, 3], 1), rand64([2, 3, 3, 3], 2), rand64([3], 3)],
    );
  });
});

describe('pooling', () => {
  const x = reshape(arange(1, 17, 1, 'float32'), [1, 1, 4, 4]);

  it('max, min and average pooling of 2×2 windows', () => {
    expectClose(new MaxPool2d(2).forward(x), [6, 8, 14, 16]);
    expectClose(new MinPool2d(2).forward(x), [1, 3, 9, 11]);
    expectClose(new AvgPool2d(2).forward(x), [3.5, 5.5, 11.5, 13.5]);
    expect(new MaxPool2d(3, { stride: 1 }).forward(reshape(x, [1, 4, 4])).shape).toEqual([1, 2, 2]);
  });

  it('countIncludePad decides the divisor of padded windows', () => {
    const small = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    expectClose(new AvgPool2d(2, { padding: 1 }).forward(small), [0.25, 0.5, 0.75, 1]);
    expectClose(new AvgPool2d(2, { padding: 1, countIncludePad: false }).forward(small), [1, 2, 3, 4]);
  });

  it('validates and round-trips', () => {
    expect(() => new MaxPool2d(2).forward(zeros([4, 4]))).toThrow(
      'MaxPool2d: expected input [N, C, H, W] (or unbatched [C, H, W]), got [4, 4]',
    );
    expect(() => new AvgPool2d(2, { padding: 2 })).toThrow(
      'AvgPool2d: padding 2 must be at most half of kernelSize 2',
    );
    const m = new MaxPool2d([2, 3], { padding: [1, 1] });
    expect(m.config()).toEqual({ kernelSize: [2, 3], stride: [2, 3], padding: [1, 1] });
    expectRoundTrip(m, rand64([1, 2, 5, 5]));
    expectRoundTrip(new MinPool2d(2, { stride: 1 }), rand64([1, 2, 3, 3]));
    const a = new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false });
    expect(a.config()).toEqual({ kernelSize: 3, stride: 2, padding: 1, countIncludePad: false });
    expectRoundTrip(a, rand64([2, 1, 5, 5]));
  });

  it('pool functional cores: gradients match finite differences (no ties)', () => {
    expectGradientsMatch(
      (v) => maxPool2d(v, { kernelSize: 3, stride: 2, padding: 1 }),
      [rand64([1, 2, 5, 5])],
    );
    expectGradientsMatch((v) => minPool2d(v, { kernelSize: 2 }), [rand64([2, 1, 4, 4])]);
    expectGradientsMatch(
      (v) => avgPool2d(v, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }),
      [rand64([1, 2, 5, 5])],
    );
  });
});

describe('Upsample', () => {
  it('nearest ×2 and bilinear with aligned corners', () => {
    const x = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    expectClose(
      new Upsample({ scaleFactor: 2 }).forward(x),
      [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4],
    );
    const b = new Upsample({ size: 3, mode: 'bilinear', alignCorners: true });
    expectClose(
      b.forward(
        tensor([
          [
            [
              [0, 2],
              [4, 6],
            ],
          ],
        ]),
      ),
      [0, 1, 2, 2, 3, 4, 4, 5, 6],
    );
  });

  it('validates and round-trips', () => {
    expect(() => new Upsample({})).toThrow(
      'Upsample: expected exactly one of size and scaleFactor, got neither',
    );
    expect(() => new Upsample({ size: 4, scaleFactor: 2 })).toThrow('got both');
    expect(() => new Upsample({ scaleFactor: 2, alignCorners: true })).toThrow(
      "Upsample: alignCorners can only be set with mode 'bilinear'",
    );
    expect(() => new Upsample({ scaleFactor: 2 }).forward(zeros([1, 2, 2]))).toThrow(
      'Upsample: expected input [N, C, H, W], got [1, 2, 2]',
    );
    const u = new Upsample({ size: [3, 5], mode: 'bilinear', alignCorners: false });
    expect(u.config()).toEqual({ size: [3, 5], mode: 'bilinear', alignCorners: false });
    expectRoundTrip(u, rand64([1, 2, 2, 3]));
    expectRoundTrip(new Upsample({ scaleFactor: [2, 3] }), rand64([1, 1, 2, 2]));
  });

  it('upsample (bilinear): gradients match finite differences', () => {
    expectGradientsMatch((v) => upsample(v, { size: [5, 3], mode: 'bilinear' }), [rand64([1, 2, 3, 2])]);
  });
});

describe('Flatten and Reshape', () => {
  it('Flatten keeps the batch dim by default', () => {
    const x = zeros([2, 3, 4, 5]);
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new Flatten(0).forward(x).shape).toEqual([120]);
    expect(new Flatten(1, 2).forward(x).shape).toEqual([2, 12, 5]);
    expect(() => new Flatten(1, 5).forward(x)).toThrow(
      'Flatten: dims 1..5 are out of range for input [2, 3, 4, 5] (rank 4)',
    );
    expect(() => new Flatten(2, 1).forward(x)).toThrow('Flatten: startDim 2 comes after endDim 1');
    expectRoundTrip(new Flatten(1, -2), rand64([2, 3, 4]));
  });

  it('Reshape reshapes each sample, keeping the batch dim', () => {
    const x = reshape(arange(0, 24, 1, 'float32'), [2, 12]);
    const y = new Reshape([3, -1]).forward(x);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(values(y)).toEqual(values(x));
    expect(new Reshape([2, 2, 3]).forward(x).shape).toEqual([2, 2, 2, 3]);
    expect(() => new Reshape([5]).forward(x)).toThrow(
      'Reshape: cannot reshape input [2, 12] (12 values per sample) into [N, 5]',
    );
    expect(() => new Reshape([-1, -1])).toThrow(ValueError);
    expectRoundTrip(new Reshape([4, 3]), rand64([2, 12]));
  });
});

describe('activation modules', () => {
  const x = tensor([-2, -0.5, 0.5, 3]);
  const cases: [string, () => { forward(x: Tensor): Tensor }, (x: Tensor) => Tensor, number[]][] = [
    ['Step', () => new Step(), step, [0, 0, 1, 1]],
    ['Sigmoid', () => new Sigmoid(), sigmoid, [-2, -0.5, 0.5, 3].map((v) => 1 / (1 + Math.exp(-v)))],
    ['Tanh', () => new Tanh(), tanh, [-2, -0.5, 0.5, 3].map(Math.tanh)],
    ['ReLU', () => new ReLU(), relu, [0, 0, 0.5, 3]],
    ['LeakyReLU', () => new LeakyReLU(0.1), (v) => leakyRelu(v, 0.1), [-0.2, -0.05, 0.5, 3]],
    ['ELU', () => new ELU(2), (v) => elu(v, 2), [2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0.5, 3]],
    [
      'GELU',
      () => new GELU(),
      (v) => gelu(v),
      [-0.04550026389635842, -0.15426876936299344, 0.34573123063700656, 2.995950200069706],
    ],
    [
      'Softplus',
      () => new Softplus(2, 5),
      (v) => softplus(v, 2, 5),
      [Math.log1p(Math.exp(-4)) / 2, Math.log1p(Math.exp(-1)) / 2, Math.log1p(Math.exp(1)) / 2, 3],
    ],
    ['Softmax', () => new Softmax(), (v) => softmax(v), softmaxOf([-2, -0.5, 0.5, 3])],
    [
      'LogSoftmax',
      () => new LogSoftmax(0),
      (v) => logSoftmax(v, 0),
      softmaxOf([-2, -0.5, 0.5, 3]).map(Math.log),
    ],
  ];

  for (const [name, make, core, expected] of cases) {
    it(`${name}: values, config round trip, gradients of its functional core`, () => {
      const layer = make() as unknown as import('@axon/layers').Module & { forward(x: Tensor): Tensor };
      expectClose(layer.forward(x), expected);
      expect(Object.keys(layer.stateDict())).toEqual([]);
      expectRoundTrip(layer, x);
      // Away from the kinks at 0 (and the threshold of Softplus).
      expectGradientsMatch(core, [rand64([3, 4]).mul(2).add(0.1)]);
    });
  }

  it('configs hold torch constructor arguments and are validated', () => {
    expect(new LeakyReLU().config()).toEqual({ negativeSlope: 0.01 });
    expect(new ELU().config()).toEqual({ alpha: 1 });
    expect(new GELU('tanh').config()).toEqual({ approximate: 'tanh' });
    expect(new Softplus().config()).toEqual({ beta: 1, threshold: 20 });
    expect(new Softmax().config()).toEqual({ dim: -1 });
    expect(new LogSoftmax(1).config()).toEqual({ dim: 1 });
    expect(new ReLU().config()).toEqual({});
    expect(() => new GELU('fast' as 'tanh')).toThrow("GELU: expected approximate to be 'none' or 'tanh'");
    expect(() => new Softplus(0)).toThrow('Softplus: beta must be non-zero');
    expect(() => new Softmax(0.5)).toThrow('Softmax: expected dim to be an integer, got 0.5');
    expect(() => new ReLU().forward([1, 2] as unknown as Tensor)).toThrow(
      'ReLU: expected input to be a Tensor, got Array',
    );
  });
});

function softmaxOf(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / s);
}

describe('a small CNN of core layers', () => {
  it('trains end to end without leaking, and its spec round-trips', () => {
    manualSeed(11);
    const model = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(8, 3),
      new LogSoftmax(),
    );
    const x = rand64([4, 1, 4, 4]).cast('float32');
    const params = model.parameters();
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    const before = tidy(() => values(model.forward(x)));
    tidy(() => sum(model.forward(x)).backward());
    expect(params.map((p) => p.grad?.shape)).toEqual(params.map((p) => p.shape));
    model.zeroGrad();
    expectNoLeak(() => model.forward(x));
    expectRoundTrip(model, x);
    expect(tidy(() => values(model.forward(x)))).toEqual(before);
    expect(() => model.forward(zeros([4, 2, 4, 4]))).toThrow('Conv2d: expected input [N, 1, H, W]');
    model.dispose();
    x.dispose();
  });
});
