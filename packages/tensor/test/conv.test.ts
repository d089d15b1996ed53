import {
  arange,
  conv2d,
  convTranspose2d,
  DTypeError,
  Generator,
  matmul,
  memory,
  mul,
  ones,
  randn,
  reshape,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  tidy,
  ValueError,
  zeros,
} from '@axon/tensor';
import { expectClose as sharedExpectClose } from '@axon/testing';
import { describe, expect, it } from 'vitest';
import { iota } from './helpers';

const gen = new Generator(11);
const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });

/** The shared `expectClose` (@axon/testing): shapes match (for a tensor b), |a − b| <= tol · (1 + |b|). */
function expectClose(a: Tensor, b: Tensor | number[], tol = 1e-9) {
  sharedExpectClose(a, b, { rtol: tol, atol: tol });
}

describe('conv2d', () => {
  it('cross-correlates without flipping the kernel, then adds the bias', () => {
    // x = 1..9 as a 3×3 image; w = [[1, 0], [0, -1]] gives x[i, j] − x[i+1, j+1] = −4 everywhere.
    const x = reshape(arange(1, 10), [1, 1, 3, 3]);
    const w = tensor([1, 0, 0, -1], { shape: [1, 1, 2, 2] });
    const y = conv2d(x, w, tensor([0.5]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect([...y.dataSync()]).toEqual([-3.5, -3.5, -3.5, -3.5]);
  });

  it('applies stride and zero padding (hand-computed)', () => {
    // All-ones 3×3 kernel, padding 1, stride 2 on 1..9: each output sums a 2×2 corner block.
    const x = reshape(arange(1, 10), [1, 1, 3, 3]);
    const y = conv2d(x, ones([1, 1, 3, 3]), null, { stride: 2, padding: 1 });
    expect(y.arraySync()).toEqual([
      [
        [
          [12, 16],
          [24, 28],
        ],
      ],
    ]);
  });

  it('applies dilation (hand-computed)', () => {
    // A 2×2 all-ones kernel dilated by 2 reads x[i, j] + x[i, j+2] + x[i+2, j] + x[i+2, j+2],
    // which for x[i, j] = 5i + j is 20i + 4j + 24.
    const y = conv2d(iota([1, 1, 5, 5]), ones([1, 1, 2, 2]), null, { dilation: 2 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    const want: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) want.push(20 * i + 4 * j + 24);
    expect([...y.dataSync()]).toEqual(want);
  });

  it('with a 1×1 kernel is a matmul over channels', () => {
    const x = r([2, 3, 4, 5]);
    const w = r([6, 3, 1, 1]);
    const viaMatmul = reshape(matmul(reshape(w, [6, 3]), reshape(x, [2, 3, 20])), [2, 6, 4, 5]);
    expectClose(conv2d(x, w), viaMatmul);
  });

  it('with a delta kernel shifts the image', () => {
    // A 3×3 kernel with its 1 at the top-left corner and padding 1: y[i, j] = x[i − 1, j − 1].
    const x = iota([1, 1, 3, 4], 'float64');
    const w = tensor([1, 0, 0, 0, 0, 0, 0, 0, 0], { shape: [1, 1, 3, 3], dtype: 'float64' });
    expect(conv2d(x, w, null, { padding: 1 }).arraySync()).toEqual([
      [
        [
          [0, 0, 0, 0],
          [0, 0, 1, 2],
          [0, 4, 5, 6],
        ],
      ],
    ]);
  });

  it('pads asymmetrically for padding "same" with an even kernel (extra at bottom/right)', () => {
    // A 2×2 all-ones kernel: total padding 1, all of it after, so y[i, j] sums x[i..i+1, j..j+1].
    const x = reshape(arange(1, 5), [1, 1, 2, 2]);
    const y = conv2d(x, ones([1, 1, 2, 2]), null, { padding: 'same' });
    expect(y.arraySync()).toEqual([
      [
        [
          [10, 6],
          [7, 4],
        ],
      ],
    ]);
    // Odd kernels and dilation keep the size too.
    expect(
      conv2d(r([1, 2, 5, 6]), r([3, 2, 3, 3]), null, { padding: 'same', dilation: [2, 1] }).shape,
    ).toEqual([1, 3, 5, 6]);
    expect(conv2d(r([1, 2, 5, 6]), r([3, 2, 3, 3]), null, { padding: 'valid' }).shape).toEqual([1, 3, 3, 4]);
  });

  it('splits channels into groups (depthwise scales each channel by its own weight)', () => {
    const x = r([2, 2, 3, 3]);
    const w = tensor([2, -3], { shape: [2, 1, 1, 1], dtype: 'float64' });
    const want = mul(x, tensor([2, -3], { shape: [1, 2, 1, 1], dtype: 'float64' }));
    expectClose(conv2d(x, w, null, { groups: 2 }), want);
  });

  it('with groups equals separate convs over each channel block', () => {
    // groups 2: output channels 0..1 see input channels 0..1 only, and 2..3 see 2..3.
    const x = r([1, 4, 4, 4]);
    const w = r([4, 2, 3, 3]);
    const y = conv2d(x, w, null, { groups: 2, padding: 1 }).dataSync();
    const x0 = tensor([...x.dataSync()].slice(0, 32), { shape: [1, 2, 4, 4], dtype: 'float64' });
    const x1 = tensor([...x.dataSync()].slice(32), { shape: [1, 2, 4, 4], dtype: 'float64' });
    const w0 = tensor([...w.dataSync()].slice(0, 36), { shape: [2, 2, 3, 3], dtype: 'float64' });
    const w1 = tensor([...w.dataSync()].slice(36), { shape: [2, 2, 3, 3], dtype: 'float64' });
    const want = [
      ...conv2d(x0, w0, null, { padding: 1 }).dataSync(),
      ...conv2d(x1, w1, null, { padding: 1 }).dataSync(),
    ];
    expectClose(tensor(y, { dtype: 'float64' }), want);
  });

  it('computes in float32, float64 and int32, promoting mixed operands', () => {
    const xi = iota([1, 1, 3, 3], 'int32');
    const wi = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2], dtype: 'int32' });
    const yi = conv2d(xi, wi);
    expect(yi.dtype).toBe('int32');
    // y[0, 0] = 0·1 + 1·2 + 3·3 + 4·4 = 27; each step right adds 10, each step down 30.
    expect([...yi.dataSync()]).toEqual([27, 37, 57, 67]);
    const y32 = conv2d(iota([1, 1, 3, 3]), tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] }));
    expect(y32.dtype).toBe('float32');
    expect([...y32.dataSync()]).toEqual([27, 37, 57, 67]);
    expect(
      conv2d(iota([1, 1, 3, 3]), tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2], dtype: 'float64' })).dtype,
    ).toBe('float64');
  });

  it('frees its temporaries', () => {
    const x = r([1, 2, 4, 4]);
    const w = r([3, 2, 3, 3]);
    const b = r([3]);
    const before = memory().numTensors;
    const y = conv2d(x, w, b, { padding: 1 });
    expect(memory().numTensors).toBe(before + 1);
    y.dispose();
  });

  it('validates its inputs, naming conv2d and the shapes', () => {
    const x = zeros([1, 4, 5, 5]);
    expect(() => conv2d(zeros([3, 4]), zeros([1, 4, 3, 3]))).toThrow(ShapeError);
    expect(() => conv2d(zeros([3, 4]), zeros([1, 4, 3, 3]))).toThrow(
      'conv2d: expected x of rank 4 [N, C, H, W], got [3, 4]',
    );
    expect(() => conv2d(x, zeros([2, 3, 3, 3]))).toThrow(
      'conv2d: weight [2, 3, 3, 3] expects 3 input channels (3 per group × 1 groups), but x [1, 4, 5, 5] has 4',
    );
    expect(() => conv2d(x, zeros([2, 2, 3, 3]), null, { groups: 3 })).toThrow(ValueError);
    expect(() => conv2d(x, zeros([2, 2, 3, 3]), null, { groups: 3 })).toThrow(
      /^conv2d: input channels 4 .* groups 3/,
    );
    expect(() => conv2d(x, zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(/^conv2d: output channels 3/);
    expect(() => conv2d(x, zeros([2, 4, 7, 7]))).toThrow(/^conv2d: output would be -1×-1/);
    expect(() => conv2d(x, zeros([2, 4, 3, 3]), zeros([3]))).toThrow(
      'conv2d: expected bias of shape [2], got [3]',
    );
    expect(() => conv2d(x, zeros([2, 4, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(
      /^conv2d: padding 'same' needs stride 1/,
    );
    expect(() => conv2d(x, zeros([2, 4, 3, 3]), null, { stride: 0 })).toThrow(
      /^conv2d: expected stride to be an integer >= 1/,
    );
    expect(() => conv2d(x, zeros([2, 4, 3, 3]), null, { padding: -1 })).toThrow(/^conv2d: expected padding/);
    expect(() => conv2d(zeros([1, 4, 5, 5], 'bool'), zeros([2, 4, 3, 3]))).toThrow(DTypeError);
  });
});

describe('convTranspose2d', () => {
  it('spreads each input pixel over the kernel (hand-computed, stride 1 and 2)', () => {
    const x = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    const k = ones([1, 1, 2, 2]);
    expect(convTranspose2d(x, k).arraySync()).toEqual([
      [
        [
          [1, 3, 2],
          [4, 10, 6],
          [3, 7, 4],
        ],
      ],
    ]);
    // Stride 2: non-overlapping 2×2 blocks; outputPadding adds a bias-only row and column.
    expect(convTranspose2d(x, k, tensor([0.5]), { stride: 2, outputPadding: 1 }).arraySync()).toEqual([
      [
        [
          [1.5, 1.5, 2.5, 2.5, 0.5],
          [1.5, 1.5, 2.5, 2.5, 0.5],
          [3.5, 3.5, 4.5, 4.5, 0.5],
          [3.5, 3.5, 4.5, 4.5, 0.5],
          [0.5, 0.5, 0.5, 0.5, 0.5],
        ],
      ],
    ]);
  });

  it('gives (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1 rows', () => {
    const y = convTranspose2d(r([2, 4, 3, 5]), r([4, 3, 3, 2]), null, {
      stride: [2, 3],
      padding: [1, 0],
      outputPadding: [1, 2],
      dilation: [2, 1],
    });
    expect(y.shape).toEqual([2, 3, 2 * 2 - 2 + 4 + 1 + 1, 4 * 3 + 1 + 2 + 1]);
  });

  // <conv2d(x, w), y> = <x, convTranspose2d(y, w)>: the transposed conv is the adjoint. Where the
  // stride drops trailing rows/cols of x, outputPadding restores x's size.
  const cases: [
    string,
    { stride?: [number, number]; padding?: [number, number]; dilation?: number; groups?: number },
    number[],
    number[],
  ][] = [
    ['plain', {}, [2, 3, 5, 6], [4, 3, 3, 3]],
    [
      'stride 2, padding 1, outputPadding [0, 1]',
      { stride: [2, 2], padding: [1, 1] },
      [2, 3, 7, 6],
      [4, 3, 3, 3],
    ],
    [
      'dilation 2, stride [1, 2], outputPadding [0, 1]',
      { stride: [1, 2], dilation: 2, padding: [2, 1] },
      [1, 2, 7, 8],
      [3, 2, 3, 2],
    ],
    ['groups 2', { groups: 2, padding: [1, 1] }, [2, 4, 5, 5], [6, 2, 3, 3]],
  ];
  for (const [label, opts, xShape, wShape] of cases) {
    it(`is the adjoint of conv2d (${label})`, () => {
      tidy(() => {
        const x = r(xShape);
        const w = r(wShape);
        const y = r(conv2d(x, w, null, opts).shape as number[]);
        const lhs = sum(mul(conv2d(x, w, null, opts), y)).item();
        const [s, p, d] = [opts.stride ?? [1, 1], opts.padding ?? [0, 0], opts.dilation ?? 1];
        const outputPadding = [0, 1].map(
          (i) => (xShape[2 + i] + 2 * p[i] - d * (wShape[2 + i] - 1) - 1) % s[i],
        );
        const back = convTranspose2d(y, w, null, {
          ...opts,
          outputPadding: [outputPadding[0], outputPadding[1]],
        });
        expect(back.shape).toEqual(xShape);
        const rhs = sum(mul(x, back)).item();
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
      });
    });
  }

  /** conv_transpose2d straight from its definition: out[n, g·og + o, i·s − p + u·d, ...] += x[n, c, i, j] · w[c, o, u, v]. */
  function naiveConvTranspose(
    x: Tensor,
    w: Tensor,
    s: number[],
    p: number[],
    op: number[],
    d: number[],
    groups: number,
  ) {
    const [n, c, h, wd] = x.shape;
    const [, og, kH, kW] = w.shape;
    const oH = (h - 1) * s[0] - 2 * p[0] + d[0] * (kH - 1) + op[0] + 1;
    const oW = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kW - 1) + op[1] + 1;
    const outC = og * groups;
    const xv = x.dataSync();
    const wv = w.dataSync();
    const out = new Float64Array(n * outC * oH * oW);
    for (let b = 0; b < n; b++)
      for (let ci = 0; ci < c; ci++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < wd; j++)
            for (let o = 0; o < og; o++)
              for (let u = 0; u < kH; u++)
                for (let v = 0; v < kW; v++) {
                  const y = i * s[0] - p[0] + u * d[0];
                  const z = j * s[1] - p[1] + v * d[1];
                  if (y < 0 || y >= oH || z < 0 || z >= oW) continue;
                  const oc = Math.floor(ci / (c / groups)) * og + o;
                  out[((b * outC + oc) * oH + y) * oW + z] +=
                    xv[((b * c + ci) * h + i) * wd + j] * wv[((ci * og + o) * kH + u) * kW + v];
                }
    return { values: [...out], shape: [n, outC, oH, oW] };
  }

  // label, x shape, w shape, stride, padding, outputPadding, dilation, groups
  for (const [label, xShape, wShape, s, p, op, d, groups] of [
    ['stride 2, padding 1, outputPadding 1', [2, 3, 3, 4], [3, 2, 3, 3], [2, 2], [1, 1], [1, 1], [1, 1], 1],
    [
      'stride [3, 2], padding [2, 0], outputPadding [2, 1]',
      [1, 2, 3, 3],
      [2, 2, 4, 3],
      [3, 2],
      [2, 0],
      [2, 1],
      [1, 1],
      1,
    ],
    [
      'dilation 3, padding 2, outputPadding 1 >= stride 1',
      [1, 2, 3, 4],
      [2, 3, 3, 2],
      [1, 1],
      [2, 2],
      [1, 1],
      [3, 3],
      1,
    ],
    [
      'dilation 2, outputPadding 1 >= stride 1, no padding',
      [1, 1, 3, 3],
      [1, 2, 2, 2],
      [1, 1],
      [0, 0],
      [1, 1],
      [2, 2],
      1,
    ],
    ['groups 2, stride 2', [2, 4, 3, 3], [4, 3, 2, 3], [2, 2], [0, 1], [0, 1], [1, 1], 2],
  ] as [string, number[], number[], number[], number[], number[], number[], number][]) {
    it(`matches its definition (${label})`, () => {
      const x = r(xShape);
      const w = r(wShape);
      const y = convTranspose2d(x, w, null, {
        stride: [s[0], s[1]],
        padding: [p[0], p[1]],
        outputPadding: [op[0], op[1]],
        dilation: [d[0], d[1]],
        groups,
      });
      const want = naiveConvTranspose(x, w, s, p, op, d, groups);
      expect(y.shape).toEqual(want.shape);
      expectClose(y, want.values);
    });
  }

  it('handles outputPadding >= stride when below the dilation (torch allows it)', () => {
    // stride 1, dilation 2, outputPadding 1: one extra bias-only row/col at the bottom/right.
    const x = r([1, 1, 2, 2]);
    const w = r([1, 1, 2, 2]);
    const y = convTranspose2d(x, w, null, { dilation: 2, outputPadding: 1 });
    const base = convTranspose2d(x, w, null, { dilation: 2 });
    expect(y.shape).toEqual([1, 1, 5, 5]);
    const yv = y.dataSync();
    const bv = base.dataSync();
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) expect(yv[i * 5 + j]).toBe(i < 4 && j < 4 ? bv[i * 4 + j] : 0);
    }
  });

  it('validates its inputs, naming convTranspose2d', () => {
    const x = zeros([1, 4, 3, 3]);
    expect(() => convTranspose2d(zeros([4, 3, 3]), zeros([4, 2, 3, 3]))).toThrow(
      'convTranspose2d: expected x of rank 4 [N, C, H, W], got [4, 3, 3]',
    );
    expect(() => convTranspose2d(x, zeros([3, 2, 3, 3]))).toThrow(
      'convTranspose2d: weight [3, 2, 3, 3] expects 3 input channels, but x [1, 4, 3, 3] has 4',
    );
    expect(() => convTranspose2d(x, zeros([4, 2, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(
      'convTranspose2d: outputPadding [2, 2] must be smaller than stride [2, 2] or dilation [1, 1]',
    );
    expect(() => convTranspose2d(x, zeros([4, 2, 3, 3]), zeros([2]), { groups: 2 })).toThrow(
      'convTranspose2d: expected bias of shape [4], got [2]',
    );
    expect(() => convTranspose2d(x, zeros([4, 2, 3, 3]), null, { groups: 3 })).toThrow(ValueError);
    expect(() => convTranspose2d(x, zeros([4, 2, 1, 1]), null, { padding: 2 })).toThrow(
      /^convTranspose2d: output would be -1×-1/,
    );
  });
});
