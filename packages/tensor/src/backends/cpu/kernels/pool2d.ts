import { Pool2D, Pool2DBackward } from '../../../kernels';
import type { KernelFunc } from '../../../kernel_registry';
import type { CpuBackend } from '../backend';

// Placeholder: replaced by the real kernels.
const notYet: KernelFunc<object, CpuBackend> = () => {
  throw new Error('pool2d: not implemented on cpu yet');
};

export const pool2DConfig = { kernelName: Pool2D, kernelFunc: notYet };
export const pool2DBackwardConfig = { kernelName: Pool2DBackward, kernelFunc: notYet };
