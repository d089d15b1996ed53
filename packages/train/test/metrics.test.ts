import { ShapeError, tensor, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { accuracy, binaryAccuracy, createMetric, metricName, topKAccuracy } from '../src';

const pred = tensor([
  [0.1, 0.7, 0.2],
  [0.5, 0.2, 0.3],
  [0.3, 0.3, 0.4],
  [0.2, 0.5, 0.3],
]);

describe('metrics', () => {
  it('accuracy from integer targets and from one-hot targets', () => {
    expect(accuracy(pred, tensor([1, 0, 2, 0], { dtype: 'int32' }))).toBe(0.75);
    expect(accuracy(pred, tensor([1, 0, 2, 0]))).toBe(0.75);
    const oneHot = tensor([
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(accuracy(pred, oneHot)).toBe(0.75);
  });

  it('accuracy over a sequence: every position counts', () => {
    const p = tensor([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [1, 0],
      ],
    ]);
    expect(
      accuracy(
        p,
        tensor([
          [0, 1],
          [0, 1],
        ]),
      ),
    ).toBe(0.75);
  });

  it('top-k: the target among the k best; ties rank the lower index first (as argmax)', () => {
    const y = tensor([2, 1, 1, 0]);
    // Row 0: scores 0.7 > 0.2 > 0.1, target 2 is 2nd. Row 1: target 1 is 3rd. Row 2: target 1 ties
    // with class 0 (0.3) below 0.4: 3rd. Row 3: target 0 is 3rd.
    expect(topKAccuracy(pred, y, 1)).toBe(0);
    expect(topKAccuracy(pred, y, 2)).toBe(0.25);
    expect(topKAccuracy(pred, y, 3)).toBe(1);
    // Class 0 is 3rd, 1st, 2nd (ties with class 1, ranks first), 3rd.
    expect(topKAccuracy(pred, tensor([0, 0, 0, 0]), 2)).toBe(0.5);
  });

  it('binary accuracy with a threshold', () => {
    const p = tensor([0.9, 0.2, 0.6, 0.4]);
    const y = tensor([1, 0, 0, 1]);
    expect(binaryAccuracy(p, y)).toBe(0.5);
    expect(binaryAccuracy(tensor([2, -1, 0.5, 3]), y, 0)).toBe(0.75);
  });

  it('accumulates over batches (weighted by positions) and names the keys', () => {
    const m = createMetric('accuracy');
    m.update(pred, tensor([1, 0, 2, 0]), 4);
    m.update(tensor([[1, 0]]), tensor([1]), 1);
    expect(m.value()).toBe(3 / 5);
    m.reset();
    expect(Number.isNaN(m.value())).toBe(true);
    expect(metricName('topk:5')).toBe('top5_accuracy');
    expect(metricName('binaryAccuracy:0')).toBe('binary_accuracy');
    const custom = createMetric({ name: 'mean_pred', fn: (p) => p.mean() });
    custom.update(tensor([[1], [3]]), tensor([[0], [0]]), 2);
    custom.update(tensor([[8]]), tensor([[0]]), 1);
    expect(custom.value()).toBeCloseTo((2 * 2 + 8) / 3, 6);
  });

  it('throws clear errors', () => {
    expect(() => accuracy(pred, tensor([1, 0, 2]))).toThrow(
      new ShapeError('accuracy: expected target [4] (class indices) or [4, 3] (one-hot), got [3]'),
    );
    expect(() => accuracy(pred, tensor([1, 0, 3, 0]))).toThrow(
      new ValueError('accuracy: target class 3 is out of range [0, 3)'),
    );
    expect(() => accuracy(tensor([[0.2], [0.9]]), tensor([0, 1]))).toThrow(
      "accuracy: prediction [2, 1] has a single class; use 'binaryAccuracy' for one output",
    );
    expect(() => topKAccuracy(pred, tensor([0, 0, 0, 0]), 4)).toThrow(
      "topk:4: k = 4 is more than the prediction's 3 classes",
    );
    expect(() => createMetric('topk:0')).toThrow("metrics: 'topk:0': k must be at least 1");
    expect(() => binaryAccuracy(tensor([1, 2]), tensor([1]))).toThrow(
      'binaryAccuracy: prediction [2] and target [1] differ in size',
    );
  });
});
