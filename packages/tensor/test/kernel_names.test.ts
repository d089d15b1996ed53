import { kernels, listKernels, setBackend } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('the kernel set', () => {
  it('KERNEL_NAMES and FUSED_KERNEL_NAMES list every kernel name constant of kernels.ts once', () => {
    const constants = Object.entries(kernels)
      .filter(([name, v]) => typeof v === 'string' && name === v)
      .map(([, v]) => v as string);
    const all = [...kernels.KERNEL_NAMES, ...kernels.FUSED_KERNEL_NAMES];
    expect([...all].sort()).toEqual(constants.sort());
    expect(new Set(all).size).toBe(all.length);
    expect(kernels.KERNEL_NAMES).toContain('Sort');
  });

  it('the cpu backend registers exactly these, and the fused kernels it has', () => {
    setBackend('cpu');
    const fused = new Set(kernels.FUSED_KERNEL_NAMES);
    const registered = listKernels('cpu');
    expect(registered.filter((k) => !fused.has(k)).sort()).toEqual([...kernels.KERNEL_NAMES].sort());
    expect(registered.filter((k) => fused.has(k)).sort()).toEqual(
      ['AdamUpdate', 'SoftmaxCrossEntropy', 'SoftmaxCrossEntropyGrad'].sort(),
    );
  });
});
