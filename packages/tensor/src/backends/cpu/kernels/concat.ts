import type { KernelFunc } from '../../../kernel_registry';
import { Concat, type ConcatAttrs } from '../../../kernels';
import { sizeOf, stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { copyStrided } from '../strided_copy';

/** Each input is copied as one box into its band of the output, starting at its offset on `axis`. */
export const concatKernel: KernelFunc<ConcatAttrs, CpuBackend> = ({ inputs, attrs, backend }) => {
  const { axis } = attrs;
  const shape = [...inputs[0].shape];
  shape[axis] = 0;
  for (const x of inputs) shape[axis] += x.shape[axis];
  const dtype = inputs[0].dtype;
  const y = backend.empty(dtype, sizeOf(shape));
  const outStrides = stridesOf(shape);
  let offset = 0;
  for (const x of inputs) {
    copyStrided(backend.values(x), 0, stridesOf(x.shape), y, offset * outStrides[axis], outStrides, x.shape);
    offset += x.shape[axis];
  }
  return backend.output(y, shape, dtype);
};

export const concatConfig = { kernelName: Concat, kernelFunc: concatKernel };
