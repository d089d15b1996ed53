import type { KernelFunc } from '../../../kernel_registry';
import { Slice, type SliceAttrs } from '../../../kernels';
import { sizeOf, stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { copyStrided } from '../strided_copy';

export const sliceKernel: KernelFunc<SliceAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { begin, size, step } = attrs;
  const inStrides = stridesOf(x.shape);
  let base = 0;
  for (let d = 0; d < begin.length; d++) base += begin[d] * inStrides[d];
  const y = backend.empty(x.dtype, sizeOf(size));
  copyStrided(
    backend.values(x),
    base,
    inStrides.map((s, d) => s * step[d]),
    y,
    0,
    stridesOf(size),
    size,
  );
  return backend.output(y, [...size], x.dtype);
};

export const sliceConfig = { kernelName: Slice, kernelFunc: sliceKernel };
