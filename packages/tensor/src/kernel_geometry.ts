/**
 * The geometry of the matmul, convolution and pooling kernels (output sizes, torch's floor
 * formulas, and the attrs unpacked), derived from a kernel's shapes and attrs. Part of the kernel contract:
 * every backend computes its loops from these, so they cannot disagree on an output size.
 */
import type { Conv2DAttrs, MatMulAttrs, Pool2DAttrs } from './kernels';
import { broadcastShapes } from './shape';

/**
 * Everything a Conv2D kernel (or either of its backprops) needs to know about one convolution, derived once from the
 * shapes and attrs. "x" is the convolution's input and "y" its output, whichever kernel runs.
 */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kH: number;
  kW: number;
  oH: number;
  oW: number;
  sH: number;
  sW: number;
  pT: number;
  pL: number;
  dH: number;
  dW: number;
  groups: number;
  /** Input channels per group. */
  cg: number;
  /** Output channels per group. */
  og: number;
  /** Rows of a column matrix: cg * kH * kW (one per weight of one output channel). */
  k: number;
  /** Columns of a column matrix: oH * oW (one per output pixel). */
  p: number;
  /** True when the column matrix of an image is the image itself (1×1 kernel, stride 1, no padding). */
  pointwise: boolean;
}

/** The output size of a convolution along one axis (torch's formula, floor division). */
export function convOutSize(
  size: number,
  k: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
): number {
  return Math.floor((size + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1;
}

export function convGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: Conv2DAttrs,
): ConvGeometry {
  const [n, c, h, w] = xShape;
  const [o, , kH, kW] = wShape;
  const [sH, sW] = attrs.stride;
  const [pT, pB, pL, pR] = attrs.pad;
  const [dH, dW] = attrs.dilation;
  const groups = attrs.groups;
  const oH = convOutSize(h, kH, sH, pT, pB, dH);
  const oW = convOutSize(w, kW, sW, pL, pR, dW);
  const cg = c / groups;
  return {
    n,
    c,
    h,
    w,
    o,
    kH,
    kW,
    oH,
    oW,
    sH,
    sW,
    pT,
    pL,
    dH,
    dW,
    groups,
    cg,
    og: o / groups,
    k: cg * kH * kW,
    p: oH * oW,
    pointwise: kH === 1 && kW === 1 && sH === 1 && sW === 1 && pT === 0 && pL === 0 && oH === h && oW === w,
  };
}

/** Pooling geometry: output size as torch computes it (floor mode); planes = N · C. */
export interface PoolGeometry {
  n: number;
  c: number;
  planes: number;
  h: number;
  w: number;
  oH: number;
  oW: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pT: number;
  pB: number;
  pL: number;
  pR: number;
  countIncludePad: boolean;
}

export function poolGeometry(shape: readonly number[], attrs: Pool2DAttrs): PoolGeometry {
  const [n, c, h, w] = shape;
  const [kH, kW] = attrs.kernel;
  const [sH, sW] = attrs.stride;
  const [pT, pB, pL, pR] = attrs.pad;
  return {
    n,
    c,
    planes: n * c,
    h,
    w,
    oH: Math.floor((h + pT + pB - kH) / sH) + 1,
    oW: Math.floor((w + pL + pR - kW) / sW) + 1,
    kH,
    kW,
    sH,
    sW,
    pT,
    pB,
    pL,
    pR,
    countIncludePad: attrs.countIncludePad,
  };
}

/**
 * A batched matrix product's sizes: op(A) is [m, k] and op(B) [k, n], where op reads a matrix's
 * last two dims swapped when `transposeA` (`transposeB`); the batch dims broadcast to `batchShape`.
 */
export interface MatMulGeometry {
  m: number;
  k: number;
  n: number;
  batchShape: number[];
  /** [...batchShape, m, n]. */
  outShape: number[];
}

export function matMulGeometry(
  aShape: readonly number[],
  bShape: readonly number[],
  attrs: MatMulAttrs,
): MatMulGeometry {
  const m = aShape[aShape.length - (attrs.transposeA ? 1 : 2)];
  const k = aShape[aShape.length - (attrs.transposeA ? 2 : 1)];
  const n = bShape[bShape.length - (attrs.transposeB ? 2 : 1)];
  const batchShape = broadcastShapes('matmul', aShape.slice(0, -2), bShape.slice(0, -2));
  return { m, k, n, batchShape, outShape: [...batchShape, m, n] };
}
