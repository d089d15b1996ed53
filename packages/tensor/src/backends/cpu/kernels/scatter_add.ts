import type { KernelFunc } from '../../../kernel_registry';
import { ScatterAdd, type ScatterAddAttrs } from '../../../kernels';
import { sizeOf, stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';

/**
 * The mirror of Gather: walks the index row by row, reading src at the same position (src may
 * be larger than the index; only the part the index covers is used) and adding into the output
 * at the index position with the stored index substituted on `axis`.
 */
export const scatterAddKernel: KernelFunc<ScatterAddAttrs, CpuBackend> = ({
  inputs: [src, index],
  attrs,
  backend,
}) => {
  const { axis, shape } = attrs;
  const sv = backend.values(src);
  const iv = backend.values(index);
  const outStrides = stridesOf(shape);
  const axisStride = outStrides[axis];
  const walk = outStrides.map((s, d) => (d === axis ? 0 : s));
  const y = backend.alloc(src.dtype, sizeOf(shape));
  forEachRow(index.shape, [stridesOf(src.shape), walk], (o, [so, yo], n, [ss, ys]) => {
    for (let i = 0; i < n; i++) y[yo + i * ys + iv[o + i] * axisStride] += sv[so + i * ss];
  });
  return backend.output(y, [...shape], src.dtype);
};

export const scatterAddConfig = { kernelName: ScatterAdd, kernelFunc: scatterAddKernel };
