import { broadcastShapes, broadcastStrides, type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource } from '../codegen';

/** `out = cond ? a : b` with the three inputs broadcast together; cond is 0.0 / 1.0 on the device. */
export const whereKernel: KernelFunc<object, GpuBackend> = ({ inputs: [cond, a, b], backend }) => {
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const index = indexCode(shape, {
    c: broadcastStrides(cond.shape, shape),
    a: broadcastStrides(a.shape, shape),
    b: broadcastStrides(b.shape, shape),
  });
  const source = kernelSource(['cond', 'a', 'b'], `${index}\n  return (cond[o_c] != 0.0 ? a[o_a] : b[o_b]);`);
  return backend.run({ source }, [cond, a, b], shape, a.dtype);
};

export const whereConfig = { kernelName: kernels.Where, kernelFunc: whereKernel };
