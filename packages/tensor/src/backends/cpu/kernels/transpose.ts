import type { TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Transpose, type TransposeAttrs } from '../../../kernels';
import { stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';

/**
 * The same memory as an array of its element size's integers: a transpose moves bits, and one
 * loop that only ever sees Int32Array (every float32 and int32 tensor) stays monomorphic, where
 * one shared by five typed-array kinds ran ~5× slower per element.
 */
function asBits(a: TypedArray): Int32Array | Float64Array | Uint8Array {
  if (a.BYTES_PER_ELEMENT === 4) return new Int32Array(a.buffer, a.byteOffset, a.length);
  if (a.BYTES_PER_ELEMENT === 8) return new Float64Array(a.buffer, a.byteOffset, a.length);
  return new Uint8Array(a.buffer, a.byteOffset, a.length);
}

/** Copies `x` (of `shape`) into `y` laid out as its permutation by `perm`; returns `y`. */
export function transposeValues(
  x: TypedArray,
  shape: readonly number[],
  perm: readonly number[],
  y: TypedArray,
): TypedArray {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const [xb, yb] = [asBits(x), asBits(y)];
  forEachRow(outShape, [perm.map((p) => inStrides[p])], (o, [oi], n, [s]) => {
    for (let i = 0; i < n; i++) yb[o + i] = xb[oi + i * s];
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
