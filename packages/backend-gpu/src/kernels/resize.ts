import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, GpuBackend> = () => {
  throw new Error('gpu: kernel not implemented yet');
};

export const resizeConfig = { kernelName: kernels.Resize, kernelFunc: notYet };
export const resizeBackwardConfig = { kernelName: kernels.ResizeBackward, kernelFunc: notYet };
