import { BatchNorm1d, Linear, Sequential, updateBatchNorm } from '@axon/layers';
import { mul, tensor, ValueError } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { describe, expect, it } from 'vitest';

// Two batches for one BatchNorm1d(2): means [4, 2] and [8, 4], unbiased variances [20/3, 8/3] and
// [80/3, 32/3] (see normalization.test.ts).
const X = tensor([
  [1, 2],
  [3, 4],
  [5, 0],
  [7, 2],
]);

describe('updateBatchNorm', () => {
  it('replaces the running statistics by plain averages over the batches, then restores mode and momentum', () => {
    const bn = new BatchNorm1d(2);
    bn.forward(mul(X, 5)); // statistics of other activations, to be replaced
    bn.eval();
    updateBatchNorm(bn, [X, mul(X, 2)]);
    expectClose(bn.runningMean!, [6, 3], { rtol: 1e-6, atol: 1e-6 });
    expectClose(bn.runningVar!, [50 / 3, 20 / 3], { rtol: 1e-6, atol: 1e-6 });
    expect(bn.numBatchesTracked!.item()).toBe(2);
    expect(bn.momentum).toBe(0.1);
    expect(bn.training).toBe(false);
  });

  it('reaches batch norm inside a model, forwarding arrays of arguments as well as tensors', () => {
    const bn = new BatchNorm1d(2);
    const model = new Sequential(new Linear(2, 2), bn);
    model.train();
    updateBatchNorm(model, [[X], X]);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    expect(model.training).toBe(true);
    expect(() => updateBatchNorm(new Linear(2, 2), [X])).not.toThrow(); // no batch norm: nothing to do
  });

  it('refuses no batches (the statistics would stay reset), restoring the layer', () => {
    const bn = new BatchNorm1d(2, { momentum: 0.3 }).eval();
    expect(() => updateBatchNorm(bn, [])).toThrow(ValueError);
    expect(() => updateBatchNorm(bn, [])).toThrow(/updateBatchNorm: expected at least one batch/);
    expect(bn.momentum).toBe(0.3);
    expect(bn.training).toBe(false);
  });
});
