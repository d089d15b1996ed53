import type { KernelFunc } from '../../../kernel_registry';
import { Pad, type PadAttrs } from '../../../kernels';
import { sizeOf, stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { copyStrided } from '../strided_copy';

/** Fills the output with `value`, then copies x into the box that starts at the `before` pads. */
export const padKernel: KernelFunc<PadAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { pads, value } = attrs;
  const shape = x.shape.map((d, i) => pads[i][0] + d + pads[i][1]);
  const y = backend.alloc(x.dtype, sizeOf(shape));
  if (value !== 0) y.fill(value);
  const outStrides = stridesOf(shape);
  let base = 0;
  for (let d = 0; d < shape.length; d++) base += pads[d][0] * outStrides[d];
  copyStrided(backend.values(x), 0, stridesOf(x.shape), y, base, outStrides, x.shape);
  return backend.output(y, shape, x.dtype);
};

export const padConfig = { kernelName: Pad, kernelFunc: padKernel };
