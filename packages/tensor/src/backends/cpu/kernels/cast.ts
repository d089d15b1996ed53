import { toTypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Cast, type CastAttrs } from '../../../kernels';
import type { CpuBackend } from '../backend';

/** float -> int32 truncates toward zero; anything -> bool is `x != 0` (NaN is true, as in torch). */
export const castKernel: KernelFunc<CastAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) =>
  backend.output(toTypedArray(backend.values(x), attrs.dtype), x.shape, attrs.dtype);

export const castConfig = { kernelName: Cast, kernelFunc: castKernel };
