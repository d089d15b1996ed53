import type { TypedArray } from '../../../dtype';
import { type ConvGeometry, convGeometry } from '../../../kernel_geometry';
import type { KernelFunc } from '../../../kernel_registry';
import {
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
} from '../../../kernels';
import type { CpuBackend } from '../backend';
import { col2im, im2col } from '../conv_im2col';
import { gemm } from '../gemm';
import { wasmGemm } from './gemm_wasm';

/**
 * One GEMM on slices of the kernels' buffers: the WebAssembly SIMD one for float32 when it is
 * available (and the product large enough), else the JS one. Same arguments as `gemm`.
 */
function product(...args: Parameters<typeof gemm>): void {
  const [a, aOff, b, bOff, c, cOff, ...rest] = args;
  if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) {
    if (wasmGemm(a, aOff, b, bOff, c, cOff, ...rest)) return;
  }
  gemm(...args);
}

/*
 * All three kernels reduce to GEMMs on column matrices, a group of images at a time. For a run of
 * `nb` images starting at n0 and group g, cols = im2col of each image side by side ([K, nb·P],
 * K = C/groups · kH · kW, P = oH · oW), W_g the group's weights viewed as [O/groups, K], and
 * dY = the images' output gradients side by side ([O/groups, nb·P]):
 *
 *   forward          Y     = W_g · cols          then each image's [O/groups, P] block to NCHW
 *   backprop input   cols' = W_gᵀ · dY           then col2im, image by image
 *   backprop filter  dW_g += dY · colsᵀ          (the sum over images is part of the GEMM)
 *
 * Why groups of images: one GEMM per image is small (a few million multiply-adds for an MNIST
 * layer); side by side they make one product large enough for the SIMD kernel to run at speed
 * and for the worker threads to share. The run length keeps the column matrix under COLS_BUDGET
 * elements, so memory stays bounded for large images. The run length depends only on the shapes,
 * so results are the same for every thread count.
 */

/** Most elements a column matrix may hold (16 MB of float32). */
const COLS_BUDGET = 1 << 22;

/** Images per GEMM: as many as fit the budget, at least one. */
function runLength(g: ConvGeometry): number {
  return Math.max(1, Math.min(g.n, Math.floor(COLS_BUDGET / Math.max(1, g.k * g.p))));
}

/**
 * Copies the `rows` × P blocks of images n0 .. n0+nb (rows starting at `row0` of each image's
 * `planes` planes of P) between `nchw` and the side-by-side matrix `wide` [rows, nb·P].
 */
function sideBySide(
  nchw: TypedArray,
  wide: TypedArray,
  g: ConvGeometry,
  planes: number,
  n0: number,
  nb: number,
  row0: number,
  rows: number,
  toWide: boolean,
): void {
  const { p } = g;
  const ld = nb * p;
  for (let j = 0; j < nb; j++) {
    for (let r = 0; r < rows; r++) {
      const at = ((n0 + j) * planes + row0 + r) * p;
      const wideAt = r * ld + j * p;
      if (toWide) wide.set(nchw.subarray(at, at + p), wideAt);
      else nchw.set(wide.subarray(wideAt, wideAt + p), at);
    }
  }
}

export const conv2DKernel: KernelFunc<Conv2DAttrs, CpuBackend> = ({ inputs: [x, w], attrs, backend }) => {
  const g = convGeometry(x.shape, w.shape, attrs);
  const xv = backend.values(x);
  const wv = backend.values(w);
  const y = backend.empty(x.dtype, g.n * g.o * g.p);
  const run = runLength(g);
  const cols = backend.empty(x.dtype, g.k * run * g.p);
  const wide = backend.empty(x.dtype, g.og * run * g.p);
  const inPlane = g.h * g.w;
  for (let n0 = 0; n0 < g.n; n0 += run) {
    const nb = Math.min(run, g.n - n0);
    for (let gi = 0; gi < g.groups; gi++) {
      for (let j = 0; j < nb; j++)
        im2col(xv, ((n0 + j) * g.c + gi * g.cg) * inPlane, g, cols, j * g.p, nb * g.p);
      product(wv, gi * g.og * g.k, cols, 0, wide, 0, g.og, nb * g.p, g.k, false, false);
      sideBySide(y, wide, g, g.o, n0, nb, gi * g.og, g.og, false);
    }
  }
  backend.recycle(cols);
  backend.recycle(wide);
  return backend.output(y, [g.n, g.o, g.oH, g.oW], x.dtype);
};

export const conv2DBackpropInputKernel: KernelFunc<Conv2DBackpropInputAttrs, CpuBackend> = ({
  inputs: [dy, w],
  attrs,
  backend,
}) => {
  const g = convGeometry(attrs.inputShape, w.shape, attrs);
  const dyv = backend.values(dy);
  const wv = backend.values(w);
  const inPlane = g.h * g.w;
  const dx = backend.alloc(dy.dtype, g.n * g.c * inPlane);
  const run = runLength(g);
  const cols = backend.empty(dy.dtype, g.k * run * g.p);
  const wide = backend.empty(dy.dtype, g.og * run * g.p);
  for (let n0 = 0; n0 < g.n; n0 += run) {
    const nb = Math.min(run, g.n - n0);
    for (let gi = 0; gi < g.groups; gi++) {
      sideBySide(dyv, wide, g, g.o, n0, nb, gi * g.og, g.og, true);
      product(wv, gi * g.og * g.k, wide, 0, cols, 0, g.k, nb * g.p, g.og, true, false);
      for (let j = 0; j < nb; j++)
        col2im(cols, g, dx, ((n0 + j) * g.c + gi * g.cg) * inPlane, j * g.p, nb * g.p);
    }
  }
  backend.recycle(cols);
  backend.recycle(wide);
  return backend.output(dx, attrs.inputShape, dy.dtype);
};

export const conv2DBackpropFilterKernel: KernelFunc<Conv2DBackpropFilterAttrs, CpuBackend> = ({
  inputs: [x, dy],
  attrs,
  backend,
}) => {
  const g = convGeometry(x.shape, attrs.filterShape, attrs);
  const xv = backend.values(x);
  const dyv = backend.values(dy);
  const dw = backend.alloc(x.dtype, g.o * g.k);
  const run = runLength(g);
  const cols = backend.empty(x.dtype, g.k * run * g.p);
  const wide = backend.empty(x.dtype, g.og * run * g.p);
  const inPlane = g.h * g.w;
  for (let n0 = 0; n0 < g.n; n0 += run) {
    const nb = Math.min(run, g.n - n0);
    for (let gi = 0; gi < g.groups; gi++) {
      for (let j = 0; j < nb; j++)
        im2col(xv, ((n0 + j) * g.c + gi * g.cg) * inPlane, g, cols, j * g.p, nb * g.p);
      sideBySide(dyv, wide, g, g.o, n0, nb, gi * g.og, g.og, true);
      product(wide, 0, cols, 0, dw, gi * g.og * g.k, g.og, g.k, nb * g.p, false, true, n0 > 0);
    }
  }
  backend.recycle(cols);
  backend.recycle(wide);
  return backend.output(dw, attrs.filterShape, x.dtype);
};

export const conv2DConfig = { kernelName: Conv2D, kernelFunc: conv2DKernel };
export const conv2DBackpropInputConfig = {
  kernelName: Conv2DBackpropInput,
  kernelFunc: conv2DBackpropInputKernel,
};
export const conv2DBackpropFilterConfig = {
  kernelName: Conv2DBackpropFilter,
  kernelFunc: conv2DBackpropFilterKernel,
};
