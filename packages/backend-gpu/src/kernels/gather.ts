import { type KernelFunc, kernels, stridesOf } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/**
 * torch.gather. The output has the index's shape (and the index is contiguous, so the thread
 * reads its own index entry); the offset into x follows the thread's coordinates on every dim
 * but `axis`, where the stored index (an exact float) takes over.
 */
export const gatherKernel: KernelFunc<kernels.GatherAttrs, GpuBackend> = ({
  inputs: [x, index],
  attrs,
  backend,
}) => {
  const { axis } = attrs;
  const xStrides = stridesOf(x.shape);
  const walk = xStrides.map((s, d) => (d === axis ? 0 : s));
  const body = [
    indexCode(index.shape, { x: walk }),
    'const k = Math.floor(index[this.thread.x] + 0.5);',
    `return x[o_x + k * ${lit(xStrides[axis])}];`,
  ].join('\n  ');
  return backend.run({ source: kernelSource(['x', 'index'], body) }, [x, index], [...index.shape], x.dtype);
};

export const gatherConfig = { kernelName: kernels.Gather, kernelFunc: gatherKernel };
