import { convGeometry } from '../../../kernel_geometry';
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
 * All three kernels reduce to GEMMs on column matrices, one image and one group at a time.
 * For image n and group g, with cols = im2col(x[n, g]) of shape [K, P] (K = C/groups · kH · kW,
 * P = oH · oW) and W_g the group's weights viewed as [O/groups, K]:
 *
 *   forward          y[n, g]  = W_g · cols                      (then stored as NCHW directly)
 *   backprop input   dx[n, g] = col2im(W_gᵀ · dy[n, g])
 *   backprop filter  dW_g    += dy[n, g] · colsᵀ                (summed over n)
 *
 * One image at a time keeps the column buffer small (K · P elements, reused) and lets the GEMM
 * write each output straight into its NCHW place. A pointwise convolution (1×1, stride 1, no
 * padding) skips im2col: the image already is its column matrix.
 */

export const conv2DKernel: KernelFunc<Conv2DAttrs, CpuBackend> = ({ inputs: [x, w], attrs, backend }) => {
  const g = convGeometry(x.shape, w.shape, attrs);
  const xv = backend.values(x);
  const wv = backend.values(w);
  const y = backend.alloc(x.dtype, g.n * g.o * g.p);
  const cols = g.pointwise ? xv : backend.empty(x.dtype, g.k * g.p);
  const inPlane = g.h * g.w;
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const xOff = (n * g.c + gi * g.cg) * inPlane;
      if (!g.pointwise) im2col(xv, xOff, g, cols);
      const yOff = (n * g.o + gi * g.og) * g.p;
      product(wv, gi * g.og * g.k, cols, g.pointwise ? xOff : 0, y, yOff, g.og, g.p, g.k, false, false);
    }
  }
  if (!g.pointwise) backend.recycle(cols);
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
  const cols = g.pointwise ? dx : backend.empty(dy.dtype, g.k * g.p);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const dxOff = (n * g.c + gi * g.cg) * inPlane;
      const dyOff = (n * g.o + gi * g.og) * g.p;
      // Pointwise: the product already is this group's slice of dx, so it is written in place.
      product(wv, gi * g.og * g.k, dyv, dyOff, cols, g.pointwise ? dxOff : 0, g.k, g.p, g.og, true, false);
      if (!g.pointwise) col2im(cols, g, dx, dxOff);
    }
  }
  if (!g.pointwise) backend.recycle(cols);
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
  const cols = g.pointwise ? xv : backend.empty(x.dtype, g.k * g.p);
  const inPlane = g.h * g.w;
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const xOff = (n * g.c + gi * g.cg) * inPlane;
      if (!g.pointwise) im2col(xv, xOff, g, cols);
      const dyOff = (n * g.o + gi * g.og) * g.p;
      product(
        dyv,
        dyOff,
        cols,
        g.pointwise ? xOff : 0,
        dw,
        gi * g.og * g.k,
        g.og,
        g.k,
        g.p,
        false,
        true,
        n > 0,
      );
    }
  }
  if (!g.pointwise) backend.recycle(cols);
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
