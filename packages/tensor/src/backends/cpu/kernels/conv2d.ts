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
import { type StagedGemm, stageWasmGemm } from './gemm_wasm';
import type { SideWork } from './side_work';

/**
 * The product's operands in WebAssembly memory when the float32 SIMD gemm takes it (see
 * StagedGemm), with room for `images` elements of images besides: the kernels then copy the
 * images in, build the column matrix with the module's im2col where the GEMM reads it, and
 * scatter the input gradient with its col2im from where the GEMM wrote it. Null otherwise
 * (float64, the JS gemm forced, small products, or no memory to be had): the kernels use their
 * own buffers, the JS im2col/col2im and the JS gemm (the WebAssembly one would not run either).
 */
function staged(
  dtype: string,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
  images: number,
): StagedGemm | null {
  return dtype === 'float32' ? stageWasmGemm(m, n, k, transA, transB, accumulate, images) : null;
}

/** The geometry as the module's im2col/col2im take it after the channel count (SideWork.geometry). */
function geometryArgs(g: ConvGeometry): number[] {
  return [g.h, g.w, g.kH, g.kW, g.oH, g.oW, g.sH, g.sW, g.pT, g.pL, g.dH, g.dW];
}

/**
 * The column-matrix work of a product whose n runs over a run of `nb` images' columns side by
 * side (group gi): im2col from the images staged at `images` into the matrix at `cols` (kind 1,
 * before the product: forward), or col2im from it back into them (kind 2, after: the input
 * gradient), a block of whole images at a time. Byte addresses.
 */
function byImages(
  kind: 1 | 2,
  g: ConvGeometry,
  gi: number,
  nb: number,
  images: number,
  cols: number,
): SideWork {
  const inPlane = g.h * g.w;
  return {
    kind,
    unit: g.p,
    geometry: geometryArgs(g),
    ld: nb * g.p,
    calls: (c0, len) => {
      const image = { at: images + 4 * ((c0 / g.p) * g.c + gi * g.cg) * inPlane, step: 4 * g.c * inPlane };
      const column = { at: cols + 4 * c0, step: 4 * g.p };
      const [src, dst] = kind === 1 ? [image, column] : [column, image];
      return { src: src.at, srcStep: src.step, cg: g.cg, dst: dst.at, dstStep: dst.step, count: len / g.p };
    },
  };
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
  let cols: TypedArray | null = null;
  let wide: TypedArray | null = null;
  const inPlane = g.h * g.w;
  // Where image j's group gi starts within a run of images.
  const imageAt = (j: number, gi: number) => (j * g.c + gi * g.cg) * inPlane;
  for (let n0 = 0; n0 < g.n; n0 += run) {
    const nb = Math.min(run, g.n - n0);
    for (let gi = 0; gi < g.groups; gi++) {
      const s = staged(x.dtype, g.og, nb * g.p, g.k, false, false, false, nb * g.c * inPlane);
      if (s) {
        s.a.set(wv.subarray(gi * g.og * g.k, (gi + 1) * g.og * g.k));
        s.extra.set(xv.subarray(n0 * g.c * inPlane, (n0 + nb) * g.c * inPlane));
        // Each block of images' columns is built by the thread that multiplies it.
        s.runWith(byImages(1, g, gi, nb, s.at.extra, s.at.b));
        sideBySide(y, s.c, g, g.o, n0, nb, gi * g.og, g.og, false);
        continue;
      }
      cols ??= backend.empty(x.dtype, g.k * run * g.p);
      wide ??= backend.empty(x.dtype, g.og * run * g.p);
      for (let j = 0; j < nb; j++)
        im2col(xv, n0 * g.c * inPlane + imageAt(j, gi), g, cols, j * g.p, nb * g.p);
      gemm(wv, gi * g.og * g.k, cols, 0, wide, 0, g.og, nb * g.p, g.k, false, false);
      sideBySide(y, wide, g, g.o, n0, nb, gi * g.og, g.og, false);
    }
  }
  if (cols) backend.recycle(cols);
  if (wide) backend.recycle(wide);
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
  let cols: TypedArray | null = null;
  let wide: TypedArray | null = null;
  // Where image j's group gi starts within a run of images.
  const imageAt = (j: number, gi: number) => (j * g.c + gi * g.cg) * inPlane;
  for (let n0 = 0; n0 < g.n; n0 += run) {
    const nb = Math.min(run, g.n - n0);
    for (let gi = 0; gi < g.groups; gi++) {
      const s = staged(dy.dtype, g.k, nb * g.p, g.og, true, false, false, nb * g.c * inPlane);
      if (s) {
        s.a.set(wv.subarray(gi * g.og * g.k, (gi + 1) * g.og * g.k));
        sideBySide(dyv, s.b, g, g.o, n0, nb, gi * g.og, g.og, true);
        s.extra.fill(0);
        // Each block of images' columns is scattered back by the thread that computed it.
        s.runWith(byImages(2, g, gi, nb, s.at.extra, s.at.c));
        for (let j = 0; j < nb; j++) {
          const from = imageAt(j, gi);
          dx.set(s.extra.subarray(from, from + g.cg * inPlane), n0 * g.c * inPlane + from);
        }
        continue;
      }
      cols ??= backend.empty(dy.dtype, g.k * run * g.p);
      wide ??= backend.empty(dy.dtype, g.og * run * g.p);
      sideBySide(dyv, wide, g, g.o, n0, nb, gi * g.og, g.og, true);
      gemm(wv, gi * g.og * g.k, wide, 0, cols, 0, g.k, nb * g.p, g.og, true, false);
      for (let j = 0; j < nb; j++)
        col2im(cols, g, dx, n0 * g.c * inPlane + imageAt(j, gi), j * g.p, nb * g.p);
    }
  }
  if (cols) backend.recycle(cols);
  if (wide) backend.recycle(wide);
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
  let cols: TypedArray | null = null;
  let wide: TypedArray | null = null;
  const inPlane = g.h * g.w;
  // Where image j's group gi starts within a run of images.
  const imageAt = (j: number, gi: number) => (j * g.c + gi * g.cg) * inPlane;
  for (let n0 = 0; n0 < g.n; n0 += run) {
    const nb = Math.min(run, g.n - n0);
    for (let gi = 0; gi < g.groups; gi++) {
      const dwAt = gi * g.og * g.k;
      const s = staged(x.dtype, g.og, g.k, nb * g.p, false, true, n0 > 0, nb * g.c * inPlane);
      if (s) {
        s.extra.set(xv.subarray(n0 * g.c * inPlane, (n0 + nb) * g.c * inPlane));
        sideBySide(dyv, s.a, g, g.o, n0, nb, gi * g.og, g.og, true);
        if (n0 > 0) s.c.set(dw.subarray(dwAt, dwAt + g.og * g.k));
        // The column matrix is Bᵀ here: each block of its rows (whole input channels) is built
        // by the thread that multiplies it.
        const { at } = s;
        const taps = g.kH * g.kW;
        s.runWith({
          kind: 1,
          unit: taps,
          geometry: geometryArgs(g),
          ld: nb * g.p,
          calls: (r0, len) => ({
            src: at.extra + 4 * (imageAt(0, gi) + (r0 / taps) * inPlane),
            srcStep: 4 * g.c * inPlane,
            cg: len / taps,
            dst: at.b + 4 * r0 * nb * g.p,
            dstStep: 4 * g.p,
            count: nb,
          }),
        });
        dw.set(s.c, dwAt);
        continue;
      }
      cols ??= backend.empty(x.dtype, g.k * run * g.p);
      wide ??= backend.empty(x.dtype, g.og * run * g.p);
      for (let j = 0; j < nb; j++)
        im2col(xv, n0 * g.c * inPlane + imageAt(j, gi), g, cols, j * g.p, nb * g.p);
      sideBySide(dyv, wide, g, g.o, n0, nb, gi * g.og, g.og, true);
      gemm(wide, 0, cols, 0, dw, dwAt, g.og, g.k, nb * g.p, false, true, n0 > 0);
    }
  }
  if (cols) backend.recycle(cols);
  if (wide) backend.recycle(wide);
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
