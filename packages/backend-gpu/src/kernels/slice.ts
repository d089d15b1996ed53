import { type KernelFunc, kernels, stridesOf } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/** out[c] = x[begin + c * step]: the output coordinates walk x with its strides scaled by step. */
export const sliceKernel: KernelFunc<kernels.SliceAttrs, GpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { begin, size, step } = attrs;
  const inStrides = stridesOf(x.shape);
  let base = 0;
  for (let d = 0; d < begin.length; d++) base += begin[d] * inStrides[d];
  const index = indexCode(size, { x: inStrides.map((s, d) => s * step[d]) });
  const source = kernelSource(['x'], `${index}\n  return x[o_x + ${lit(base)}];`);
  return backend.run({ source }, [x], [...size], x.dtype);
};

export const sliceConfig = { kernelName: kernels.Slice, kernelFunc: sliceKernel };
