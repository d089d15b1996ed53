import type { TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Transpose, type TransposeAttrs } from '../../../kernels';
import { stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';

/** Copies `x` (of `shape`) into `y` laid out as its permutation by `perm`; returns `y`. */
export function transposeValues(
  x: TypedArray,
  shape: readonly number[],
  perm: readonly number[],
  y: TypedArray,
): TypedArray {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  forEachRow(outShape, [perm.map((p) => inStrides[p])], (o, [oi], n, [s]) => {
    for (let i = 0; i < n; i++) y[o + i] = x[oi + i * s];
  });
  return y;
}

export const transposeKernel: KernelFunc<TransposeAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const outShape = attrs.perm.map((p) => x.shape[p]);
  const xv = backend.values(x);
  return backend.output(
    transposeValues(xv, x.shape, attrs.perm, backend.empty(x.dtype, xv.length)),
    outShape,
    x.dtype,
  );
};

export const transposeConfig = { kernelName: Transpose, kernelFunc: transposeKernel };
