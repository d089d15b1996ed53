/**
 * The WebAssembly elementwise loops (wasm/elementwise.ts) and column matrices (wasm/im2col.ts)
 * give the same bits as the JS kernels: each case runs once with setCpuKernels('js') and once with
 * setCpuKernels('wasm') (every size goes to WebAssembly there), on values that probe the edges —
 * NaN (both signs), ±0, ±infinity, ties — and on sizes that are not a multiple of four. Moves
 * (relu, selects, the pool) keep even a NaN's bits; arithmetic keeps that it is a NaN.
 */
import { seededValues } from '@axon/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conv2DAttrs } from '../src/kernels';
import {
  add,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  conv2dWithAttrs,
  div,
  ENGINE,
  erf,
  exp,
  kernels,
  maxPool2dWithIndices,
  minPool2d,
  mul,
  pool2dBackward,
  relu,
  setCpuKernels,
  sigmoid,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  whereNonzero,
} from './helpers';

afterEach(() => setCpuKernels('auto'));

/** Seeded values with the awkward ones mixed in, as float32. */
function tricky(shape: number[], seed: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const v = Float32Array.from(seededValues(size, seed));
  const odd = [Number.NaN, -Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1];
  for (let i = 0; i < size; i += 7) v[i] = odd[(i / 7) % odd.length];
  // A float32 NaN with the sign bit set (-NaN above is the same NaN to JS).
  const bits = new Int32Array(v.buffer);
  for (let i = 3; i < size; i += 29) bits[i] = 0xffc00000 | 0;
  return tensor(v, { shape });
}

/**
 * The raw bits of every output under one kernel mode, every NaN written as 'NaN': arithmetic on a
 * NaN gives some NaN, whose sign and payload JS and WebAssembly choose differently.
 */
function bitsUnder(mode: 'js' | 'wasm', f: () => Tensor[]): (number | string)[][] {
  setCpuKernels(mode);
  return f().map((t) => {
    const v = t.dataSync();
    if (!(v instanceof Float32Array)) return Array.from(v);
    const bits = new Int32Array(v.buffer, v.byteOffset, v.length);
    return Array.from(v, (x, i) => (Number.isNaN(x) ? 'NaN' : bits[i]));
  });
}

function sameBits(f: () => Tensor[]): void {
  expect(bitsUnder('wasm', f)).toEqual(bitsUnder('js', f));
}

describe('WebAssembly loops match the JS kernels bit for bit', () => {
  it('square (as a product of x with itself)', () => {
    sameBits(() => [square(tricky([3, 5, 6, 7], 13)), square(tricky([2, 3, 150, 151], 14))]);
  });

  it('relu, and the select of its gradient (full and constant other side)', () => {
    for (const size of [1, 7, 1030]) {
      const x = tricky([size], size);
      const g = tricky([size], size + 1);
      sameBits(() => [relu(x), whereNonzero(x, g, 0), whereNonzero(x, g, g)]);
    }
  });

  it('add, sub, mul and div: same shapes, a scalar either side, broadcast rows, outer sums', () => {
    const a = tricky([3, 5, 6, 7], 1);
    const b = tricky([3, 5, 6, 7], 2);
    const bias = tricky([1, 5, 1, 1], 3);
    const row = tricky([7], 4);
    const perRow = tricky([3, 5, 6, 1], 5); // a softmax's or a layer norm's per-row constant
    const perImage = tricky([3, 1, 1, 1], 9); // both sides broadcast: [3, 5, 6, 7] from these
    const perPixel = tricky([1, 5, 6, 7], 10);
    const s = tensor(0.37);
    for (const f of [add, sub, mul, div]) {
      sameBits(() => [
        f(a, b),
        f(a, s),
        f(s, a),
        f(a, bias),
        f(bias, a),
        f(a, row),
        f(a, perRow),
        f(perRow, a),
        f(perImage, perPixel),
        f(perPixel, perImage),
        f(bias, perRow),
        f(row, perRow),
      ]);
    }
  });

  it('the 2×2 pool, max and min, with winners, ties and ragged edges', () => {
    // 13 columns: three vector groups of four windows and one window on the scalar path; a row
    // and a column left over (floor mode). Ties: a plane of a few distinct values.
    const x = tricky([2, 3, 11, 17], 5);
    const ties = tensor(
      Float32Array.from({ length: 2 * 9 * 10 }, (_, i) => (i * 7) % 3),
      { shape: [1, 2, 9, 10] },
    );
    for (const t of [x, ties]) {
      sameBits(() => {
        const { values: y, indices: idx } = maxPool2dWithIndices(t, { kernelSize: 2 });
        // The gradient scatter too, with overlapping windows (3×3, stride 2) adding up.
        const inputShape = t.shape as [number, number, number, number];
        const attrs = (k: number) => ({
          mode: 'max' as const,
          kernel: [k, k] as [number, number],
          stride: [2, 2] as [number, number],
          pad: [0, 0, 0, 0] as [number, number, number, number],
          countIncludePad: false,
          inputShape,
        });
        const overlap = maxPool2dWithIndices(t, { kernelSize: 3, stride: 2 });
        return [
          y,
          idx,
          minPool2d(t, { kernelSize: 2 }),
          pool2dBackward(tricky([...y.shape], 12), idx, attrs(2)),
          pool2dBackward(tricky([...overlap.values.shape], 13), overlap.indices, attrs(3)),
        ];
      });
    }
  });

  it('conv2d and both gradients through the column matrices: padding, stride, dilation, groups', () => {
    // The products differ in rounding (float32 SIMD sums against the JS gemm's float64 ones), so
    // this compares values to float32 accuracy: a misplaced column would be off by far more.
    const cases: [number[], number[], Conv2DAttrs][] = [
      [[2, 3, 9, 11], [4, 3, 3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 1 }],
      [[2, 4, 10, 9], [6, 2, 3, 2], { stride: [2, 3], pad: [2, 0, 1, 2], dilation: [1, 2], groups: 2 }],
      [[3, 2, 8, 8], [5, 2, 1, 1], { stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1 }],
    ];
    let seed = 10;
    for (const [xs, ws, attrs] of cases) {
      const x = tensor(
        seededValues(
          xs.reduce((p, d) => p * d, 1),
          seed++,
        ),
        { shape: xs },
      );
      const w = tensor(
        seededValues(
          ws.reduce((p, d) => p * d, 1),
          seed++,
        ),
        { shape: ws },
      );
      const dySize = conv2dWithAttrs(x, w, attrs).shape;
      const dy = tensor(
        seededValues(
          dySize.reduce((p, d) => p * d, 1),
          seed++,
        ),
        { shape: dySize },
      );
      const all = (mode: 'js' | 'wasm') => {
        setCpuKernels(mode);
        return [
          conv2dWithAttrs(x, w, attrs),
          conv2dBackpropInput(dy, w, { ...attrs, inputShape: xs as [number, number, number, number] }),
          conv2dBackpropFilter(x, dy, { ...attrs, filterShape: ws as [number, number, number, number] }),
        ].map((t) => Array.from(t.dataSync()));
      };
      const js = all('js');
      const wasm = all('wasm');
      js.forEach((ref, i) => {
        expect(wasm[i].length).toBe(ref.length);
        const err = Math.max(...ref.map((v, j) => Math.abs(v - wasm[i][j])));
        expect(err, `${JSON.stringify(xs)} output ${i}`).toBeLessThan(
          1e-5 * Math.max(1, ...ref.map(Math.abs)),
        );
      });
    }
  });

  it('goes through large arrays in chunks (pointwise, broadcast runs, pool planes)', () => {
    // 135,900 elements: over two chunks; planes of 150×151, two to a chunk; bias runs of a plane.
    const x = tricky([2, 3, 150, 151], 6);
    const g = tricky([2, 3, 150, 151], 7);
    const bias = tricky([1, 3, 1, 1], 8);
    const perImage = tricky([2, 1, 1, 1], 11);
    const plane = tricky([1, 1, 150, 151], 12);
    sameBits(() => {
      const { values, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
      return [
        relu(x),
        whereNonzero(x, g, 0),
        add(x, g),
        mul(x, bias),
        sub(bias, x),
        values,
        indices,
        add(perImage, plane), // outer sums: runs of a plane, two to a chunk
        div(bias, plane),
      ];
    });
  });

  it('sums over leading axes (bias gradients), in chunks of rows, with NaN and infinities', () => {
    const x = tricky([37, 3, 50], 3);
    const long = tricky([20000, 7], 4);
    const finite = tensor(Float32Array.from(seededValues(30000 * 5, 5)), { shape: [30000, 5] });
    sameBits(() => [sum(x, 0), sum(x, [0, 1]), sum(x, [0, 1], true), sum(long, 0), sum(finite, 0)]);
  });

  it('sums runs (per row, per channel), two and four at a time, in chunks, with NaN and infinities', () => {
    const x = tricky([37, 3, 50], 6); // rows of 50 (and 150), three channels
    const image = tricky([6, 5, 14, 14], 7); // a batch norm's sums over 0, 2, 3
    const big = tricky([9, 4, 120, 121], 8); // runs of 14,520: four to a chunk
    const one = tricky([5, 1, 9, 9], 9); // a single channel: every run into the same sum
    const finite = tensor(Float32Array.from(seededValues(7 * 3 * 400, 10)), { shape: [7, 3, 400] });
    sameBits(() => [
      sum(x, 2),
      sum(x, [1, 2]),
      sum(x, [0, 2]),
      sum(image, [0, 2, 3]),
      sum(image, [1, 2, 3], true),
      sum(big, [0, 2, 3]),
      sum(big, [2, 3]),
      sum(one, [0, 2, 3]),
      sum(finite, [0, 2]),
      sum(finite, 2),
    ]);
  });

  it('sigmoid, tanh, exp and erf: within one float32 ulp of the JS loops, exact on the edges', () => {
    // Values across the whole range: tiny (tanh's and erf's series), around the series cut-offs
    // (1/32, 1/2), moderate, saturated, overflowing exp (±800) and the specials.
    const v: number[] = [];
    for (let e = -30; e <= 10; e += 0.25) v.push(2 ** e, -(2 ** e));
    v.push(0.03125, -0.03125, 0.0312, 0.0313, 0.5, -0.5, 0.49999997, 20, -20, 88.7, -88.7, 800, -800);
    v.push(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
    const x = tensor(Float32Array.from([...v, ...seededValues(1001, 9).map((s) => 8 * s)]));
    for (const f of [sigmoid, tanh, exp, erf]) {
      const [js] = bitsUnder('js', () => [f(x)]);
      const [wasm] = bitsUnder('wasm', () => [f(x)]);
      expect(wasm.length).toBe(js.length);
      let differing = 0;
      js.forEach((b, i) => {
        if (b === wasm[i]) return;
        differing++;
        // Both finite floats of one sign: their bit patterns one apart is one ulp.
        expect(
          typeof b === 'number' && Math.abs((b as number) - (wasm[i] as number)),
          `${f.name}(${x.dataSync()[i]})`,
        ).toBe(1);
      });
      expect(differing).toBeLessThan(js.length / 100);
      // The edges exactly: ±0 keep their sign in tanh, NaN stays NaN, saturation is exact.
      const at = (value: number) => v.findIndex((u) => Object.is(u, value));
      for (const special of [
        0,
        -0,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        800,
        -800,
      ]) {
        expect(wasm[at(special)], `${f.name}(${special})`).toEqual(js[at(special)]);
      }
    }
  });

  it('keeps the JS loops for dtypes the module does not cover', () => {
    setCpuKernels('wasm');
    const i = tensor([1, 2, 3, 4, 5], { dtype: 'int32' });
    expect(Array.from(ENGINE.runKernel(kernels.Binary, [i, i], { op: 'add' })[0].dataSync())).toEqual([
      2, 4, 6, 8, 10,
    ]);
    const d = tensor([-1, 2, -3], { dtype: 'float64' });
    expect(Array.from(relu(d).dataSync())).toEqual([0, 2, 0]);
  });
});
