import { Pad } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('Pad: not implemented on cpu yet');
};

export const padConfig = { kernelName: Pad, kernelFunc: notYet };
