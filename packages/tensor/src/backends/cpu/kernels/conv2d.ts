import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernels.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('conv2d: not implemented on cpu yet');
};

export const conv2DConfig = { kernelName: Conv2D, kernelFunc: notYet };
export const conv2DBackpropInputConfig = { kernelName: Conv2DBackpropInput, kernelFunc: notYet };
export const conv2DBackpropFilterConfig = { kernelName: Conv2DBackpropFilter, kernelFunc: notYet };
