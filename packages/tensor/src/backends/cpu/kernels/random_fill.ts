import type { KernelFunc } from '../../../kernel_registry';
import { RandomFill, type RandomFillAttrs } from '../../../kernels';
import { randomNormal, randomUnit } from '../../../random/counter_rng';
import { sizeOf } from '../../../shape';
import type { CpuBackend } from '../backend';

export const randomFillKernel: KernelFunc<RandomFillAttrs, CpuBackend> = ({ attrs, backend }) => {
  const { seed, offset, a, b } = attrs;
  const y = backend.empty(attrs.dtype, sizeOf(attrs.shape));
  if (attrs.dist === 'uniform') {
    for (let i = 0; i < y.length; i++) y[i] = a + (b - a) * randomUnit(seed, offset + i);
  } else {
    for (let i = 0; i < y.length; i++) y[i] = a + b * randomNormal(seed, offset + 2 * i);
  }
  return backend.output(y, attrs.shape, attrs.dtype);
};

export const randomFillConfig = { kernelName: RandomFill, kernelFunc: randomFillKernel };
