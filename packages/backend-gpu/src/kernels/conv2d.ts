import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, GpuBackend> = () => {
  throw new Error('gpu: kernel not implemented yet');
};

export const conv2DConfig = { kernelName: kernels.Conv2D, kernelFunc: notYet };
export const conv2DBackpropInputConfig = { kernelName: kernels.Conv2DBackpropInput, kernelFunc: notYet };
export const conv2DBackpropFilterConfig = { kernelName: kernels.Conv2DBackpropFilter, kernelFunc: notYet };
