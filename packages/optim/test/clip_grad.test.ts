import { memory, type Tensor, tensor, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue } from '../src';
import { expectClose, f64 } from './helpers';

function withGrads(...grads: (number[] | null)[]): Tensor[] {
  return grads.map((g) => {
    const p = f64(new Array(g?.length ?? 2).fill(0), [g?.length ?? 2]);
    if (g) p.grad = f64(g, [g.length]);
    return p;
  });
}

const gradValues = (ps: Tensor[]) => ps.map((p) => (p.grad ? [...p.grad.dataSync()] : null));

describe('clipGradNorm', () => {
  it('L2: returns the total norm before clipping and scales by maxNorm/(total + 1e-6)', () => {
    const ps = withGrads([3, 4], [12]); // total = 13
    expect(clipGradNorm(ps, 1)).toBe(13);
    const c = 1 / (13 + 1e-6);
    expectClose(gradValues(ps)[0]!, [3 * c, 4 * c]);
    expectClose(gradValues(ps)[1]!, [12 * c]);
  });

  it('leaves the gradients alone when the factor is not below 1', () => {
    const ps = withGrads([3, 4], [12]);
    expect(clipGradNorm(ps, 20)).toBe(13);
    expect(gradValues(ps)).toEqual([[3, 4], [12]]);
    // Exactly at the limit the factor is 13/(13 + 1e-6) < 1, so torch (and Axon) still scale.
    const qs = withGrads([3, 4], [12]);
    clipGradNorm(qs, 13);
    expectClose(gradValues(qs)[1]!, [(12 * 13) / (13 + 1e-6)]);
  });

  it("'inf' norm: the largest |g|", () => {
    const ps = withGrads([1, -5], [2]);
    expect(clipGradNorm(ps, 2, 'inf')).toBe(5);
    expectClose(gradValues(ps)[0]!, [2 / (5 + 1e-6), (-5 * 2) / (5 + 1e-6)]);
    expect(clipGradNorm(withGrads([1, -5]), 2, Infinity)).toBe(5);
  });

  it('other p-norms', () => {
    expect(clipGradNorm(withGrads([1, -2], [3]), 100, 1)).toBe(6);
    expectClose([clipGradNorm(withGrads([1, -2], [3]), 100, 3)], [36 ** (1 / 3)]);
  });

  it('copied from the PyTorch fixture grad_clip/clip_inf_clipped (g2)', () => {
    const g0 = [-1.0149662867779814, 0.037344945199544254, 0.09445649025226058, 1.5794270997415183];
    const g2 = [-0.689025032661696, 0.9115800447408975, 0.5700986370067664];
    const ps = withGrads(g0, g2);
    expectClose([clipGradNorm(ps, 1, 'inf')], [1.5794270997415183]);
    expectClose(gradValues(ps)[1]!, [-0.43624969871971925, 0.577158304889018, 0.3609525733397209]);
  });

  it('skips parameters without a gradient; returns 0 when none has one', () => {
    const ps = withGrads(null, [6, 8]);
    expect(clipGradNorm(ps, 5)).toBe(10);
    expect(ps[0].grad).toBeNull();
    expectClose(gradValues(ps)[1]!, [(6 * 5) / (10 + 1e-6), (8 * 5) / (10 + 1e-6)]);
    expect(clipGradNorm(withGrads(null), 1)).toBe(0);
  });

  it('works in place on float32 gradients, keeping the grad handles, and leaks nothing', () => {
    const p = tensor([0, 0, 0]);
    p.grad = tensor([2, -2, 1]);
    const g = p.grad;
    const before = memory().numTensors;
    expect(clipGradNorm([p], 1)).toBeCloseTo(3, 6);
    expect(p.grad).toBe(g);
    expectClose(g.dataSync(), [2 / 3, -2 / 3, 1 / 3], 1e-6);
    expect(memory().numTensors).toBe(before);
  });

  it('NaN norm gives NaN gradients, as torch does', () => {
    const ps = withGrads([Number.NaN, 1]);
    expect(clipGradNorm(ps, 1)).toBeNaN();
    expect(gradValues(ps)[0]!.every(Number.isNaN)).toBe(true);
  });

  it('errors', () => {
    const ps = withGrads([1]);
    expect(() => clipGradNorm(ps, -1)).toThrow(/clipGradNorm: maxNorm must be a number >= 0, got number -1/);
    expect(() => clipGradNorm(ps, 1, 0)).toThrow(/clipGradNorm: normType must be a positive number or 'inf'/);
    expect(() => clipGradNorm(ps, 1, 'max' as never)).toThrow(ValueError);
    expect(() => clipGradNorm(ps[0] as never, 1)).toThrow(/clipGradNorm: params must be an array of Tensors/);
    expect(() => clipGradNorm([ps[0], 2 as never], 1)).toThrow(/clipGradNorm: params\[1\] is not a Tensor/);
  });
});

describe('clipGradValue', () => {
  it('clamps every gradient to [-v, v] in place', () => {
    const ps = withGrads([-3, 0.5, 2], null, [1.5]);
    const g = ps[0].grad;
    clipGradValue(ps, 1);
    expect(gradValues(ps)).toEqual([[-1, 0.5, 1], null, [1]]);
    expect(ps[0].grad).toBe(g);
  });

  it('errors', () => {
    expect(() => clipGradValue(withGrads([1]), -1)).toThrow(/clipGradValue: clipValue must be a number >= 0/);
    expect(() => clipGradValue(null as never, 1)).toThrow(/clipGradValue: params must be an array/);
  });
});
