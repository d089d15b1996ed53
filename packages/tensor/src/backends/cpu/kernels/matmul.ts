import { MatMul } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernel.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('MatMul: not implemented on cpu yet');
};

export const matMulConfig = { kernelName: MatMul, kernelFunc: notYet };
