import { kernels, listKernels, setBackend } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('the kernel set', () => {
  it('KERNEL_NAMES lists every kernel name constant of kernels.ts once', () => {
    const constants = Object.entries(kernels)
      .filter(([name, v]) => typeof v === 'string' && name === v)
      .map(([, v]) => v as string);
    expect([...kernels.KERNEL_NAMES].sort()).toEqual(constants.sort());
    expect(new Set(kernels.KERNEL_NAMES).size).toBe(kernels.KERNEL_NAMES.length);
    expect(kernels.KERNEL_NAMES).toContain('Sort');
  });

  it('the cpu backend registers exactly these', () => {
    setBackend('cpu');
    expect(listKernels('cpu').sort()).toEqual([...kernels.KERNEL_NAMES].sort());
  });
});
