import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, GpuBackend> = () => {
  throw new Error('gpu: kernel not implemented yet');
};

export const whereConfig = { kernelName: kernels.Where, kernelFunc: notYet };
