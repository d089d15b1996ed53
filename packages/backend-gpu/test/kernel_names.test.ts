import { GpuBackend } from '@axon/backend-gpu';
import { kernels, listKernels } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('the kernel set', () => {
  it('the gpu backend registers exactly the kernel names of @axon/tensor (KERNEL_NAMES)', () => {
    new GpuBackend('cpu'); // registers the kernels (the mode does not matter here)
    expect(listKernels('gpu').sort()).toEqual([...kernels.KERNEL_NAMES].sort());
  });
});
