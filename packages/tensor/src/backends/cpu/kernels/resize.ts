import { Resize, ResizeBackward } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernels.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('resize: not implemented on cpu yet');
};

export const resizeConfig = { kernelName: Resize, kernelFunc: notYet };
export const resizeBackwardConfig = { kernelName: ResizeBackward, kernelFunc: notYet };
