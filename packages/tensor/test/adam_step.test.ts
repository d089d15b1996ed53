/**
 * The fused Adam kernel of the cpu backend gives the same bits as the composed reference ops, for
 * Adam, Adam with L2 decay, AdamW and AMSGrad, early and late steps.
 */
import { seededValues } from '@axon/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  type AdamStepOptions,
  adamStep,
  adamStepReference,
  ENGINE,
  setCpuKernels,
  type Tensor,
  tensor,
} from './helpers';

// Past two of the WebAssembly kernel's 8192-element chunks, and not a multiple of 4: the last chunk
// is partial and the SIMD loop's scalar tail runs too.
const n = 20003;
const t = (seed: number, lo = -1, hi = 1): Tensor => tensor(seededValues(n, seed, { lo, hi }));

describe('adamStep', () => {
  const base: AdamStepOptions = {
    lr: 3e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0,
    decoupled: false,
    amsgrad: false,
    step: 1,
  };
  const cases: [string, Partial<AdamStepOptions>][] = [
    ['Adam, first step', {}],
    ['Adam, step 7', { step: 7 }],
    ['Adam with L2 decay', { weightDecay: 0.01, step: 3 }],
    ['AdamW', { weightDecay: 0.05, decoupled: true, step: 12 }],
    ['AMSGrad', { amsgrad: true, step: 5, beta1: 0.8, beta2: 0.99, eps: 1e-6 }],
  ];
  for (const [[name, extra], kernels] of cases.flatMap(
    (c) =>
      [
        [c, 'auto'],
        [c, 'js'],
      ] as const,
  )) {
    it(`${name}: the fused kernel (${kernels === 'auto' ? 'WebAssembly' : 'JS'}) equals the composed ops bit for bit`, () => {
      setCpuKernels(kernels);
      const o = { ...base, ...extra };
      const p = t(1);
      const g = t(2, -0.1, 0.1);
      const m = t(3, -0.01, 0.01);
      const v = t(4, 0, 1e-4);
      const vMax = t(5, 0, 2e-4);
      const spy = vi.spyOn(ENGINE, 'runKernel');
      const fused = adamStep(p, g, m, v, vMax, o);
      expect(spy.mock.calls.map((c) => c[0])).toEqual(['AdamUpdate']);
      spy.mockRestore();
      const reference = adamStepReference(p, g, m, v, vMax, o);
      for (const key of ['param', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] as const) {
        const a = fused[key];
        const b = reference[key];
        expect(a === undefined, key).toBe(b === undefined);
        if (a && b) expect(Array.from(a.dataSync()), key).toEqual(Array.from(b.dataSync()));
      }
      setCpuKernels('auto');
    });
  }

  it('float64 parameters take the composed ops', () => {
    const p = t(1).cast('float64');
    const next = adamStep(
      p,
      t(2).cast('float64'),
      t(3).cast('float64'),
      t(4, 0, 1).cast('float64'),
      null,
      base,
    );
    expect(next.param.dtype).toBe('float64');
  });
});
