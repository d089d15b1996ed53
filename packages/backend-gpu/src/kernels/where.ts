import { broadcastShapes, type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';

/** `out = cond ? a : b` with the three inputs broadcast together; cond is 0.0 / 1.0 on the device. */
export const whereKernel: KernelFunc<object, GpuBackend> = ({ inputs: [cond, a, b], backend }) => {
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  return backend.elementwise('($0 != 0.0 ? $1 : $2)', [cond, a, b], shape, a.dtype);
};

export const whereConfig = { kernelName: kernels.Where, kernelFunc: whereKernel };
