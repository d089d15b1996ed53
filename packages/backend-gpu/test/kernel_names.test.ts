import { GpuBackend } from '@axon/backend-gpu';
import { kernels, listKernels } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('the kernel set', () => {
  it('the gpu backend registers exactly the kernel names of @axon/tensor (KERNEL_NAMES), and its fused kernels', () => {
    new GpuBackend('cpu'); // registers the kernels (the mode does not matter here)
    const fused = new Set(kernels.FUSED_KERNEL_NAMES);
    const registered = listKernels('gpu');
    expect(registered.filter((k) => !fused.has(k)).sort()).toEqual([...kernels.KERNEL_NAMES].sort());
    expect(registered.filter((k) => fused.has(k)).sort()).toEqual([
      'SoftmaxCrossEntropy',
      'SoftmaxCrossEntropyGrad',
    ]);
  });
});
