import type { KernelFunc } from '../../../kernel_registry';
import { Resize, type ResizeAttrs, ResizeBackward, type ResizeBackwardAttrs } from '../../../kernels';
import type { CpuBackend } from '../backend';

/**
 * Where each output row (or column) reads from along one axis: the two neighbouring source
 * indices and the weight of the second. Resizing is separable, so the 2-D weights are products of
 * these per-axis tables, computed once per call instead of once per pixel.
 */
interface AxisMap {
  i0: Int32Array;
  i1: Int32Array;
  /** Weight of i1; i0 gets 1 - lambda. Always 0 for nearest. */
  lambda: Float64Array;
}

function axisMap(mode: ResizeAttrs['mode'], inSize: number, outSize: number, alignCorners: boolean): AxisMap {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const lambda = new Float64Array(outSize);
  if (mode === 'nearest') {
    // torch's legacy 'nearest': src = floor(dst * in / out), in exact integer arithmetic.
    for (let d = 0; d < outSize; d++)
      i0[d] = i1[d] = Math.min(Math.floor((d * inSize) / outSize), inSize - 1);
    return { i0, i1, lambda };
  }
  // torch's area_pixel_compute_source_index. With alignCorners the corner pixels' centres line
  // up; otherwise pixel centres are mapped, and a source coordinate left of the first centre is
  // clamped to 0 (torch clamps negatives only: beyond the last centre, i1 = i0 takes care of it).
  const scale = alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const src = alignCorners ? scale * d : Math.max(scale * (d + 0.5) - 0.5, 0);
    const a = Math.min(Math.floor(src), inSize - 1);
    i0[d] = a;
    i1[d] = a < inSize - 1 ? a + 1 : a;
    lambda[d] = src - a;
  }
  return { i0, i1, lambda };
}

export const resizeKernel: KernelFunc<ResizeAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const [n, c, h, w] = x.shape;
  const [oH, oW] = attrs.size;
  const rows = axisMap(attrs.mode, h, oH, attrs.alignCorners);
  const cols = axisMap(attrs.mode, w, oW, attrs.alignCorners);
  const xv = backend.values(x);
  const y = backend.alloc(x.dtype, n * c * oH * oW);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oh = 0; oh < oH; oh++) {
      const r0 = base + rows.i0[oh] * w;
      if (attrs.mode === 'nearest') {
        for (let ow = 0; ow < oW; ow++, o++) y[o] = xv[r0 + cols.i0[ow]];
        continue;
      }
      const r1 = base + rows.i1[oh] * w;
      const lh = rows.lambda[oh];
      for (let ow = 0; ow < oW; ow++, o++) {
        const c0 = cols.i0[ow];
        const c1 = cols.i1[ow];
        const lw = cols.lambda[ow];
        y[o] =
          (1 - lh) * ((1 - lw) * xv[r0 + c0] + lw * xv[r0 + c1]) +
          lh * ((1 - lw) * xv[r1 + c0] + lw * xv[r1 + c1]);
      }
    }
  }
  return backend.output(y, [n, c, oH, oW], x.dtype);
};

/** The adjoint of Resize: each output's gradient is added back onto the pixels it was read from, with the same weights. */
export const resizeBackwardKernel: KernelFunc<ResizeBackwardAttrs, CpuBackend> = ({
  inputs: [dy],
  attrs,
  backend,
}) => {
  const [n, c, h, w] = attrs.inputShape;
  const [oH, oW] = attrs.size;
  const rows = axisMap(attrs.mode, h, oH, attrs.alignCorners);
  const cols = axisMap(attrs.mode, w, oW, attrs.alignCorners);
  const dyv = backend.values(dy);
  const dx = backend.alloc(dy.dtype, n * c * h * w);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oh = 0; oh < oH; oh++) {
      const r0 = base + rows.i0[oh] * w;
      if (attrs.mode === 'nearest') {
        for (let ow = 0; ow < oW; ow++, o++) dx[r0 + cols.i0[ow]] += dyv[o];
        continue;
      }
      const r1 = base + rows.i1[oh] * w;
      const lh = rows.lambda[oh];
      for (let ow = 0; ow < oW; ow++, o++) {
        const c0 = cols.i0[ow];
        const c1 = cols.i1[ow];
        const lw = cols.lambda[ow];
        const top = (1 - lh) * dyv[o];
        const bottom = lh * dyv[o];
        dx[r0 + c0] += (1 - lw) * top;
        dx[r0 + c1] += lw * top;
        dx[r1 + c0] += (1 - lw) * bottom;
        dx[r1 + c1] += lw * bottom;
      }
    }
  }
  return backend.output(dx, attrs.inputShape, dy.dtype);
};

export const resizeConfig = { kernelName: Resize, kernelFunc: resizeKernel };
export const resizeBackwardConfig = { kernelName: ResizeBackward, kernelFunc: resizeBackwardKernel };
