import { convGeometry, type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';
import { tapsThatMet } from './conv_taps';
import { packedConv2D, packedConv2DFilterGrad, packedConv2DInputGrad } from './conv2d_packed';

/*
 * Direct convolution, one thread per output element of each kernel (in the GL modes, only where
 * the packed products of conv2d_packed.ts do not fit the device). Every size, stride, padding
 * and dilation is inlined, so a loop's bound is a literal and the taps that fall into padding are
 * skipped by comparisons on literals. Sums are built in levels (per channel, per row, per image)
 * and added up, which keeps float32's rounding error to the length of one level instead of the
 * whole sum.
 */

/** y[n, o, oh, ow] = Σ over the group's channels and the taps inside the image of x · w. */
export const conv2DKernel: KernelFunc<kernels.Conv2DAttrs, GpuBackend> = ({
  inputs: [x, w],
  attrs,
  backend,
}) => {
  const g = convGeometry(x.shape, w.shape, attrs);
  const packed = backend.isGl ? packedConv2D(backend, x, w, g) : null;
  if (packed) return packed;
  const L = lit;
  const plane = g.h * g.w;
  const taps = g.kH * g.kW;
  const body = `${indexCode([g.n, g.o, g.oH, g.oW])}
  const grp = Math.floor((c1 + 0.5) / ${L(g.og)});
  const xBase = c0 * ${L(g.c * plane)} + grp * ${L(g.cg * plane)};
  const wBase = c1 * ${L(g.cg * taps)};
  const h0 = c2 * ${L(g.sH)} - ${L(g.pT)};
  const w0 = c3 * ${L(g.sW)} - ${L(g.pL)};
  let acc = 0.0;
  for (let ci = 0; ci < ${g.cg}; ci++) {
    let part = 0.0;
    for (let kh = 0; kh < ${g.kH}; kh++) {
      const ih = h0 + kh * ${L(g.dH)};
      if (ih >= 0.0 && ih < ${L(g.h)}) {
        const xRow = xBase + ci * ${L(plane)} + ih * ${L(g.w)};
        const wRow = wBase + ci * ${L(taps)} + kh * ${L(g.kW)};
        for (let kw = 0; kw < ${g.kW}; kw++) {
          const iw = w0 + kw * ${L(g.dW)};
          if (iw >= 0.0 && iw < ${L(g.w)}) {
            part += x[xRow + iw] * wt[wRow + kw];
          }
        }
      }
    }
    acc += part;
  }
  return acc;`;
  return backend.run(
    { source: kernelSource(['x', 'wt'], body), loopMax: Math.max(g.cg, g.kH, g.kW) },
    [x, w],
    [g.n, g.o, g.oH, g.oW],
    x.dtype,
  );
};

/**
 * dx[n, c, h, w] = Σ over the taps (kh, kw) and the output channels of c's group of
 * dy[n, o, oh, ow] · w[o, c mod cg, kh, kw], for the (oh, ow) whose tap lands on (h, w): h + pT − kh·dH
 * must be a multiple of sH below oH · sH (and likewise along w).
 */
export const conv2DBackpropInputKernel: KernelFunc<kernels.Conv2DBackpropInputAttrs, GpuBackend> = ({
  inputs: [dy, w],
  attrs,
  backend,
}) => {
  const g = convGeometry(attrs.inputShape, w.shape, attrs);
  const packed = backend.isGl ? packedConv2DInputGrad(backend, dy, w, g, attrs.inputShape) : null;
  if (packed) return packed;
  const L = lit;
  const outPlane = g.oH * g.oW;
  const taps = g.kH * g.kW;
  const body = `${indexCode([g.n, g.c, g.h, g.w])}
  const grp = Math.floor((c1 + 0.5) / ${L(g.cg)});
  const ci = c1 - grp * ${L(g.cg)};
  const dyBase = c0 * ${L(g.o * outPlane)} + grp * ${L(g.og * outPlane)};
  const wBase = grp * ${L(g.og * g.cg * taps)} + ci * ${L(taps)};
  let acc = 0.0;
  ${tapsThatMet(
    g,
    `const dyAt = dyBase + oh * ${L(g.oW)} + ow;
const wAt = wBase + kh * ${L(g.kW)} + kw;
let part = 0.0;
for (let oc = 0; oc < ${g.og}; oc++) {
  part += dy[dyAt + oc * ${L(outPlane)}] * wt[wAt + oc * ${L(g.cg * taps)}];
}
acc += part;`,
  )}
  return acc;`;
  return backend.run(
    { source: kernelSource(['dy', 'wt'], body), loopMax: Math.max(g.og, g.kH, g.kW) },
    [dy, w],
    attrs.inputShape,
    dy.dtype,
  );
};

/**
 * dw[o, ci, kh, kw] = Σ over images and output pixels of dy[n, o, oh, ow] · x[n, c, ih, iw], with
 * c = group(o) · cg + ci and (ih, iw) the pixel that tap (kh, kw) meets; taps in padding add nothing.
 */
export const conv2DBackpropFilterKernel: KernelFunc<kernels.Conv2DBackpropFilterAttrs, GpuBackend> = ({
  inputs: [x, dy],
  attrs,
  backend,
}) => {
  const g = convGeometry(x.shape, attrs.filterShape, attrs);
  const packed = backend.isGl ? packedConv2DFilterGrad(backend, x, dy, g, attrs.filterShape) : null;
  if (packed) return packed;
  const L = lit;
  const plane = g.h * g.w;
  const outPlane = g.oH * g.oW;
  const body = `${indexCode(attrs.filterShape)}
  const grp = Math.floor((c0 + 0.5) / ${L(g.og)});
  const xBase = (grp * ${L(g.cg)} + c1) * ${L(plane)};
  const dyBase = c0 * ${L(outPlane)};
  const hOff = c2 * ${L(g.dH)} - ${L(g.pT)};
  const wOff = c3 * ${L(g.dW)} - ${L(g.pL)};
  let acc = 0.0;
  for (let n = 0; n < ${g.n}; n++) {
    let image = 0.0;
    for (let oh = 0; oh < ${g.oH}; oh++) {
      const ih = oh * ${L(g.sH)} + hOff;
      if (ih >= 0.0 && ih < ${L(g.h)}) {
        const xRow = xBase + n * ${L(g.c * plane)} + ih * ${L(g.w)};
        const dyRow = dyBase + n * ${L(g.o * outPlane)} + oh * ${L(g.oW)};
        let row = 0.0;
        for (let ow = 0; ow < ${g.oW}; ow++) {
          const iw = ow * ${L(g.sW)} + wOff;
          if (iw >= 0.0 && iw < ${L(g.w)}) {
            row += x[xRow + iw] * dy[dyRow + ow];
          }
        }
        image += row;
      }
    }
    acc += image;
  }
  return acc;`;
  return backend.run(
    { source: kernelSource(['x', 'dy'], body), loopMax: Math.max(g.n, g.oH, g.oW) },
    [x, dy],
    attrs.filterShape,
    x.dtype,
  );
};

export const conv2DConfig = { kernelName: kernels.Conv2D, kernelFunc: conv2DKernel };
export const conv2DBackpropInputConfig = {
  kernelName: kernels.Conv2DBackpropInput,
  kernelFunc: conv2DBackpropInputKernel,
};
export const conv2DBackpropFilterConfig = {
  kernelName: kernels.Conv2DBackpropFilter,
  kernelFunc: conv2DBackpropFilterKernel,
};
