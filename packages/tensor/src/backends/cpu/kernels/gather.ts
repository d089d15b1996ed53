import type { KernelFunc } from '../../../kernel_registry';
import { Gather, type GatherAttrs } from '../../../kernels';
import { sizeOf, stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';

/**
 * Walks the index (and the output, which has its shape) row by row. The offset into x follows
 * the index position on every dim but `axis`; on `axis` it jumps to the stored index instead.
 */
export const gatherKernel: KernelFunc<GatherAttrs, CpuBackend> = ({ inputs: [x, index], attrs, backend }) => {
  const xv = backend.values(x);
  const iv = backend.values(index);
  const xStrides = stridesOf(x.shape);
  const axisStride = xStrides[attrs.axis];
  const walk = xStrides.map((s, d) => (d === attrs.axis ? 0 : s));
  const y = backend.empty(x.dtype, sizeOf(index.shape));
  forEachRow(index.shape, [walk], (o, [xo], n, [s]) => {
    for (let i = 0; i < n; i++) y[o + i] = xv[xo + i * s + iv[o + i] * axisStride];
  });
  return backend.output(y, [...index.shape], x.dtype);
};

export const gatherConfig = { kernelName: Gather, kernelFunc: gatherKernel };
