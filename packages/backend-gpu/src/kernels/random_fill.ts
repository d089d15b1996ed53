import {
  allocate,
  DTypeError,
  type KernelFunc,
  kernels,
  randomNormal,
  randomUnit,
  sizeOf,
} from '@axon/tensor';
import type { GpuBackend } from '../backend';

/**
 * Computed on the host exactly as the CPU backend does (the counter-based generator needs 64-bit
 * integer arithmetic that float32 kernels lack), then uploaded: the numbers are bit-identical to
 * the CPU's for the same attrs. The values are first stored in the target dtype's array so that
 * rounding (float32) and truncation (int32) happen exactly as on the CPU.
 */
export const randomFillKernel: KernelFunc<kernels.RandomFillAttrs, GpuBackend> = ({ attrs, backend }) => {
  const { seed, offset, a, b, dtype, shape } = attrs;
  if (dtype === 'float64') {
    throw new DTypeError(
      "gpu: float64 is not supported (the gpu backend computes in single precision); cast to 'float32'",
    );
  }
  const y = allocate(dtype, sizeOf(shape));
  if (attrs.dist === 'uniform') {
    for (let i = 0; i < y.length; i++) y[i] = a + (b - a) * randomUnit(seed, offset + i);
  } else {
    for (let i = 0; i < y.length; i++) y[i] = a + b * randomNormal(seed, offset + 2 * i);
  }
  return backend.output(y instanceof Float32Array ? y : Float32Array.from(y), shape, dtype);
};

export const randomFillConfig = { kernelName: kernels.RandomFill, kernelFunc: randomFillKernel };
