import { Slice } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('Slice: not implemented on cpu yet');
};

export const sliceConfig = { kernelName: Slice, kernelFunc: notYet };
