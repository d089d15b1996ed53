import '@axon/backend-gpu';
import {
  avgPool2d,
  backendInfo,
  type Conv2dOptions,
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  conv2dWithAttrs,
  convTranspose2d,
  type DType,
  ENGINE,
  globalAvgPool2d,
  kernels,
  maxPool2dWithIndices,
  memory,
  minPool2d,
  pool2dBackward,
  resizeBackward,
  setBackend,
  type Tensor,
  type TypedArray,
  tensor,
  tidy,
  type UpsampleOptions,
  upsample,
} from '@axon/tensor';
import { seededRandom, turnEventLoop } from '@axon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOn } from './helpers';

// ---- helpers ----

/** Seeded host data (mulberry32), so failures reproduce. */
const rng = seededRandom;

let seed = 1;

/** Host data for a tensor of `shape`: uniform in [-1, 1) (float32), or small integers (int32). */
function data(shape: readonly number[], dtype: DType = 'float32'): TypedArray {
  const next = rng(seed++);
  const size = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'int32') return Int32Array.from({ length: size }, () => Math.floor(next() * 9) - 4);
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

function t(values: TypedArray, shape: readonly number[]): Tensor {
  return tensor(values, { shape });
}

/**
 * Runs `f` on the CPU and on the GPU (from the same host data) and compares every output:
 * |gpu − cpu| <= rtol · |cpu| + rtol · max|cpu|, integers exactly. Also checks that the GPU run
 * left no buffer behind. Returns the largest error seen, relative to max|cpu|.
 */
async function compare(f: () => Tensor | Tensor[], rtol = 1e-5): Promise<number> {
  await turnEventLoop();
  const before = memory().backends.gpu;
  const expected = runOn('cpu', f);
  const actual = runOn('gpu', f);
  expect(memory().backends.gpu).toEqual(before);
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k];
    const a = actual[k];
    expect(a.shape).toEqual(e.shape);
    expect(a.dtype).toBe(e.dtype);
    expect(a.values.length).toBe(e.values.length);
    if (e.dtype !== 'float32') {
      expect(Array.from(a.values)).toEqual(Array.from(e.values));
      continue;
    }
    let scale = 0;
    for (const v of e.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < e.values.length; i++) {
      const ev = e.values[i];
      const av = a.values[i];
      if (Number.isNaN(ev)) {
        if (!Number.isNaN(av)) expect.fail(`output ${k}[${i}]: expected NaN, got ${av}`);
        continue;
      }
      const err = Math.abs(av - ev);
      if (!(err <= rtol * (Math.abs(ev) + scale))) {
        expect.fail(`output ${k}[${i}] of ${e.values.length}: gpu ${av}, cpu ${ev} (scale ${scale})`);
      }
      worst = Math.max(worst, err / Math.max(scale, 1e-30));
    }
  }
  return worst;
}

function outSize(size: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

beforeAll(() => setBackend('gpu'));
afterAll(() => setBackend('cpu'));

describe('image kernels on the gpu backend', () => {
  it('runs in a gpu.js mode', () => {
    const mode = backendInfo().mode;
    expect(['webasm', 'headlessgl', 'webgl2', 'webgl']).toContain(mode);
  });

  // ---- Conv2D and its two backprop kernels ----

  interface ConvCase {
    name: string;
    x: [number, number, number, number];
    w: [number, number, number, number];
    attrs: kernels.Conv2DAttrs;
  }

  const conv = (
    name: string,
    x: ConvCase['x'],
    w: ConvCase['w'],
    stride: [number, number] = [1, 1],
    pad: [number, number, number, number] = [0, 0, 0, 0],
    dilation: [number, number] = [1, 1],
    groups = 1,
  ): ConvCase => ({ name, x, w, attrs: { stride, pad, dilation, groups } });

  const CONV_CASES: ConvCase[] = [
    conv('3x3 valid, odd sizes', [2, 3, 7, 9], [5, 3, 3, 3]),
    conv('stride 2, pad 1', [2, 3, 9, 8], [4, 3, 3, 3], [2, 2], [1, 1, 1, 1]),
    conv('stride [2, 1], dilation 2, pad 2', [1, 2, 11, 10], [3, 2, 3, 3], [2, 1], [2, 2, 2, 2], [2, 2]),
    conv('groups 2', [2, 4, 6, 7], [6, 2, 3, 3], [1, 1], [1, 1, 1, 1], [1, 1], 2),
    conv('depthwise, stride 2', [1, 3, 9, 9], [6, 1, 3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 3),
    conv("'same' asymmetric pads, even kernel", [1, 2, 8, 7], [3, 2, 4, 2], [1, 1], [1, 2, 0, 1]),
    conv('asymmetric pads, dilation [1, 2]', [2, 2, 7, 9], [2, 2, 2, 3], [1, 1], [0, 2, 1, 0], [1, 2]),
    conv('pointwise 1x1', [2, 5, 6, 5], [4, 5, 1, 1]),
    conv('1x1 stride 2', [1, 3, 7, 7], [2, 3, 1, 1], [2, 2]),
    conv('kernel larger than image with padding', [1, 2, 3, 4], [3, 2, 5, 5], [1, 1], [2, 2, 2, 2]),
    conv('2x5 kernel, stride 3, pad [0,1,2,2]', [3, 2, 10, 13], [2, 2, 2, 5], [3, 3], [0, 1, 2, 2]),
    conv('stride larger than kernel', [1, 2, 11, 12], [2, 2, 2, 2], [3, 4], [1, 0, 0, 1]),
  ];

  for (const c of CONV_CASES) {
    const [n, , h, w] = c.x;
    const [o, , kH, kW] = c.w;
    const { stride, pad, dilation } = c.attrs;
    const dyShape = [
      n,
      o,
      outSize(h, kH, stride[0], pad[0], pad[1], dilation[0]),
      outSize(w, kW, stride[1], pad[2], pad[3], dilation[1]),
    ];
    it(`Conv2D: ${c.name}`, async () => {
      const xs = data(c.x);
      const ws = data(c.w);
      await compare(() => conv2dWithAttrs(t(xs, c.x), t(ws, c.w), c.attrs));
    });
    it(`Conv2DBackpropInput: ${c.name}`, async () => {
      const dys = data(dyShape);
      const ws = data(c.w);
      await compare(() => conv2dBackpropInput(t(dys, dyShape), t(ws, c.w), { ...c.attrs, inputShape: c.x }));
    });
    it(`Conv2DBackpropFilter: ${c.name}`, async () => {
      const xs = data(c.x);
      const dys = data(dyShape);
      await compare(() =>
        conv2dBackpropFilter(t(xs, c.x), t(dys, dyShape), { ...c.attrs, filterShape: c.w }),
      );
    });
  }

  it("conv2d with padding 'same' (dilated, asymmetric) and bias", async () => {
    const xs = data([2, 3, 8, 9]);
    const ws = data([4, 3, 4, 3]);
    const bs = data([4]);
    const opts: Conv2dOptions = { padding: 'same', dilation: [1, 2] };
    await compare(() => conv2d(t(xs, [2, 3, 8, 9]), t(ws, [4, 3, 4, 3]), t(bs, [4]), opts));
  });

  it('conv2d on int32 inputs', async () => {
    const xs = data([2, 3, 6, 7], 'int32');
    const ws = data([4, 3, 3, 3], 'int32');
    await compare(() => conv2d(t(xs, [2, 3, 6, 7]), t(ws, [4, 3, 3, 3]), null, { stride: 2, padding: 1 }));
  });

  it('convTranspose2d (stride 2, output padding, groups)', async () => {
    const xs = data([2, 4, 5, 6]);
    const ws = data([4, 3, 3, 3]);
    await compare(() =>
      convTranspose2d(t(xs, [2, 4, 5, 6]), t(ws, [4, 3, 3, 3]), null, {
        stride: 2,
        padding: 1,
        outputPadding: 1,
        groups: 2,
      }),
    );
  });

  it('Conv2D, both backprops: outputs over 70000 elements (texture packing)', async () => {
    const xShape = [2, 3, 130, 131];
    const wShape = [4, 3, 3, 3];
    const attrs: kernels.Conv2DAttrs = { stride: [1, 1], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 1 };
    const dyShape = [2, 4, 130, 131];
    const xs = data(xShape);
    const ws = data(wShape);
    const dys = data(dyShape);
    await compare(() => conv2dWithAttrs(t(xs, xShape), t(ws, wShape), attrs));
    await compare(() =>
      conv2dBackpropInput(t(dys, dyShape), t(ws, wShape), {
        ...attrs,
        inputShape: [2, 3, 130, 131],
      }),
    );
    // 2 · 130 · 131 terms per weight, summed in three levels
    await compare(() =>
      conv2dBackpropFilter(t(xs, xShape), t(dys, dyShape), { ...attrs, filterShape: [4, 3, 3, 3] }),
    );
  });

  it('Conv2DBackpropFilter with long loops (N 32, 28x28)', async () => {
    const xShape = [32, 2, 28, 28];
    const dyShape = [32, 3, 28, 28];
    const attrs = {
      stride: [1, 1] as [number, number],
      pad: [1, 1, 1, 1] as [number, number, number, number],
      dilation: [1, 1] as [number, number],
      groups: 1,
      filterShape: [3, 2, 3, 3] as [number, number, number, number],
    };
    const xs = data(xShape);
    const dys = data(dyShape);
    await compare(() => conv2dBackpropFilter(t(xs, xShape), t(dys, dyShape), attrs));
  });

  // ---- Pool2D and Pool2DBackward ----

  interface PoolCase {
    name: string;
    x: [number, number, number, number];
    kernel: [number, number];
    stride: [number, number];
    pad: [number, number, number, number];
  }

  const POOL_CASES: PoolCase[] = [
    { name: '2x2 stride 2', x: [2, 3, 8, 8], kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] },
    { name: '2x2 stride 2, odd size', x: [1, 2, 7, 9], kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] },
    { name: '3x3 stride 2 pad 1', x: [2, 2, 9, 10], kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] },
    {
      name: '3x3 stride 1 pad 1 (overlap)',
      x: [1, 3, 6, 7],
      kernel: [3, 3],
      stride: [1, 1],
      pad: [1, 1, 1, 1],
    },
    {
      name: '3x2 stride [1,2] pad [1,0]',
      x: [2, 1, 7, 8],
      kernel: [3, 2],
      stride: [1, 2],
      pad: [1, 1, 0, 0],
    },
    { name: '4x4 stride 3 pad 2', x: [1, 2, 11, 10], kernel: [4, 4], stride: [3, 3], pad: [2, 2, 2, 2] },
    { name: 'asymmetric pads', x: [1, 2, 7, 6], kernel: [3, 3], stride: [2, 2], pad: [0, 1, 1, 0] },
  ];

  for (const p of POOL_CASES) {
    const [n, c, h, w] = p.x;
    const oShape = [
      n,
      c,
      outSize(h, p.kernel[0], p.stride[0], p.pad[0], p.pad[1], 1),
      outSize(w, p.kernel[1], p.stride[1], p.pad[2], p.pad[3], 1),
    ];
    for (const mode of ['max', 'min', 'avg'] as const) {
      for (const countIncludePad of mode === 'avg' ? [true, false] : [true]) {
        const attrs: kernels.Pool2DAttrs = {
          mode,
          kernel: p.kernel,
          stride: p.stride,
          pad: p.pad,
          countIncludePad,
        };
        const label = `${mode}${mode === 'avg' ? ` (countIncludePad ${countIncludePad})` : ''}: ${p.name}`;
        it(`Pool2D + Pool2DBackward ${label}`, async () => {
          const xs = data(p.x);
          const dys = data(oShape);
          await compare(() => ENGINE.runKernel(kernels.Pool2D, [t(xs, p.x)], attrs));
          await compare(() => {
            const outs = ENGINE.runKernel(kernels.Pool2D, [t(xs, p.x)], attrs);
            return pool2dBackward(t(dys, oShape), mode === 'avg' ? null : outs[1], {
              ...attrs,
              inputShape: p.x,
            });
          });
        });
      }
    }
  }

  it('max/min pooling ties keep the first cell; int32 input', async () => {
    const shape = [2, 2, 7, 8];
    const ints = data(shape, 'int32').map((v) => v % 2); // many ties
    const floats = Float32Array.from(ints);
    await compare(() =>
      Object.values(maxPool2dWithIndices(t(floats, shape), { kernelSize: 3, stride: 2, padding: 1 })),
    );
    await compare(() => Object.values(maxPool2dWithIndices(t(ints, shape), { kernelSize: 2 })));
    await compare(() => minPool2d(t(ints, shape), { kernelSize: [3, 2], stride: [1, 2] }));
  });

  it('max pooling: a NaN wins', async () => {
    const shape = [1, 1, 4, 4];
    const xs = data(shape);
    xs[5] = Number.NaN;
    await compare(() => Object.values(maxPool2dWithIndices(t(xs, shape), { kernelSize: 2, stride: 2 })));
  });

  it('avgPool2d and globalAvgPool2d', async () => {
    const xs = data([2, 3, 13, 11]);
    await compare(() => avgPool2d(t(xs, [2, 3, 13, 11]), { kernelSize: 3, stride: 2, padding: 1 }));
    await compare(() => globalAvgPool2d(t(xs, [2, 3, 13, 11])));
    const big = data([1, 2, 60, 70]);
    await compare(() => globalAvgPool2d(t(big, [1, 2, 60, 70])));
  });

  it('pooling over 70000 elements (texture packing), forward and backward', async () => {
    const shape: [number, number, number, number] = [2, 4, 190, 190];
    const xs = data(shape);
    const dys = data([2, 4, 95, 95]);
    for (const mode of ['max', 'avg'] as const) {
      const attrs: kernels.Pool2DAttrs = {
        mode,
        kernel: [2, 2],
        stride: [2, 2],
        pad: [0, 0, 0, 0],
        countIncludePad: true,
      };
      await compare(() => ENGINE.runKernel(kernels.Pool2D, [t(xs, shape)], attrs));
      await compare(() => {
        const outs = ENGINE.runKernel(kernels.Pool2D, [t(xs, shape)], attrs);
        return pool2dBackward(t(dys, [2, 4, 95, 95]), mode === 'avg' ? null : outs[1], {
          ...attrs,
          inputShape: shape,
        });
      });
    }
  });

  // ---- Resize and ResizeBackward ----

  const RESIZE_CASES: { x: [number, number, number, number]; size: [number, number] }[] = [
    { x: [2, 3, 7, 5], size: [14, 15] },
    { x: [1, 2, 13, 11], size: [5, 4] },
    { x: [1, 2, 5, 7], size: [7, 10] },
    { x: [1, 1, 6, 9], size: [6, 9] },
    { x: [1, 2, 1, 1], size: [3, 4] },
    { x: [1, 2, 4, 5], size: [1, 1] },
    { x: [1, 1, 3, 17], size: [29, 4] },
    { x: [1, 1, 2, 3], size: [40, 31] },
    { x: [1, 1, 37, 41], size: [3, 2] },
  ];

  for (const r of RESIZE_CASES) {
    for (const [mode, alignCorners] of [
      ['nearest', false],
      ['bilinear', false],
      ['bilinear', true],
    ] as const) {
      it(`Resize + ResizeBackward ${mode}${alignCorners ? ' alignCorners' : ''}: [${r.x}] -> ${r.size}`, async () => {
        const xs = data(r.x);
        const dyShape = [r.x[0], r.x[1], r.size[0], r.size[1]];
        const dys = data(dyShape);
        const opts: UpsampleOptions = { size: r.size, mode, alignCorners };
        await compare(() => upsample(t(xs, r.x), opts));
        await compare(() =>
          resizeBackward(t(dys, dyShape), { mode, size: r.size, alignCorners, inputShape: r.x }),
        );
      });
    }
  }

  it('ResizeBackward sweep: every reader of every pixel is found (in/out sizes 1..17)', async () => {
    // The backward kernel loops over a bounded range of output indices per axis; each axis gets
    // a different in → out pair, so up- and down-sampling by many ratios are both covered.
    const SIZES = [1, 2, 3, 5, 8, 13, 17];
    for (const a of SIZES) {
      for (const b of SIZES) {
        const inShape: [number, number, number, number] = [1, 1, a, b];
        const size: [number, number] = [b, a + 1];
        const dyShape = [1, 1, ...size];
        const dys = data(dyShape);
        for (const [mode, alignCorners] of [
          ['nearest', false],
          ['bilinear', false],
          ['bilinear', true],
        ] as const) {
          await compare(() =>
            resizeBackward(t(dys, dyShape), { mode, size, alignCorners, inputShape: inShape }),
          );
        }
      }
    }
  });

  it('Resize nearest on int32; scale factors', async () => {
    const xs = data([2, 2, 5, 6], 'int32');
    await compare(() => upsample(t(xs, [2, 2, 5, 6]), { scaleFactor: 2 }));
    const fs = data([1, 3, 6, 7]);
    await compare(() => upsample(t(fs, [1, 3, 6, 7]), { scaleFactor: [1.5, 2.5], mode: 'bilinear' }));
  });

  it('Resize and ResizeBackward over 70000 elements (texture packing)', async () => {
    const xs = data([1, 2, 100, 100]);
    const dys = data([1, 2, 200, 210]);
    for (const [mode, alignCorners] of [
      ['nearest', false],
      ['bilinear', false],
      ['bilinear', true],
    ] as const) {
      await compare(() => upsample(t(xs, [1, 2, 100, 100]), { size: [200, 210], mode, alignCorners }));
      await compare(() =>
        resizeBackward(t(dys, [1, 2, 200, 210]), {
          mode,
          size: [200, 210],
          alignCorners,
          inputShape: [1, 2, 100, 100],
        }),
      );
    }
  });

  it('frees every buffer inside tidy', () => {
    const start = memory().backends.gpu;
    const xs = data([1, 2, 8, 8]);
    const ws = data([3, 2, 3, 3]);
    tidy(() => {
      const x = t(xs, [1, 2, 8, 8]);
      const y = conv2d(x, t(ws, [3, 2, 3, 3]), null, { padding: 1 });
      const { values, indices } = maxPool2dWithIndices(y, { kernelSize: 2 });
      const up = upsample(values, { scaleFactor: 2, mode: 'bilinear' });
      expect(up.shape).toEqual([1, 3, 8, 8]);
      expect(indices.dtype).toBe('int32');
      up.dataSync();
    });
    expect(memory().backends.gpu).toEqual(start);
  });
});
