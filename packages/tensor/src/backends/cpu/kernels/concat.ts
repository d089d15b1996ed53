import { Concat } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('Concat: not implemented on cpu yet');
};

export const concatConfig = { kernelName: Concat, kernelFunc: notYet };
