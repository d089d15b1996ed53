import { type KernelFunc, kernels, stridesOf } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource } from '../codegen';

/** out.shape[i] = x.shape[perm[i]]: each output element reads x at the permuted strides. */
export const transposeKernel: KernelFunc<kernels.TransposeAttrs, GpuBackend> = ({
  inputs: [x],
  attrs,
  backend,
}) => {
  const outShape = attrs.perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const index = indexCode(outShape, { x: attrs.perm.map((p) => inStrides[p]) });
  const source = kernelSource(['x'], `${index}\n  return x[o_x];`);
  return backend.run({ source }, [x], outShape, x.dtype);
};

export const transposeConfig = { kernelName: kernels.Transpose, kernelFunc: transposeKernel };
