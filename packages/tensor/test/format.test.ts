import { inspect } from 'node:util';
import * as ax from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('printing a tensor, as torch does', () => {
  it('prints values, shape and dtype; rows on their own lines', () => {
    expect(
      String(
        ax.tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe('tensor([[1.0, 2.0],\n        [3.0, 4.0]], shape=[2, 2], dtype=float32)');
    expect(ax.tensor([1.5, -2.25]).toString()).toBe('tensor([ 1.5000, -2.2500], shape=[2], dtype=float32)');
    expect(ax.scalar(3).toString()).toBe('tensor(3.0, shape=[], dtype=float32)');
    expect(ax.tensor([1, 2], 'int32').toString()).toBe('tensor([1, 2], shape=[2], dtype=int32)');
    expect(ax.tensor([true, false]).toString()).toBe('tensor([ true, false], shape=[2], dtype=bool)');
  });

  it('console.log shows the same text (util.inspect.custom)', () => {
    const t = ax.tensor([0.5, 1]);
    expect(inspect(t)).toBe(t.toString());
  });

  it('switches to scientific notation for wide ranges, and names nan and inf', () => {
    expect(ax.tensor([1e-6, 3, 1e9]).toString()).toBe(
      'tensor([1.0000e-06, 3.0000e+00, 1.0000e+09], shape=[3], dtype=float32)',
    );
    expect(ax.tensor([Number.NaN, Number.POSITIVE_INFINITY, 1]).toString()).toBe(
      'tensor([nan, inf, 1.0], shape=[3], dtype=float32)',
    );
  });

  it('summarises large tensors with the first and last three entries of each dim', () => {
    const text = ax.arange(0, 2000, 1, 'int32').reshape([2, 1000]).toString();
    expect(text).toBe(
      'tensor([[   0,    1,    2, ...,  997,  998,  999],\n        [1000, 1001, 1002, ..., 1997, 1998, 1999]], shape=[2, 1000], dtype=int32)',
    );
  });

  it('says when a tensor was disposed', () => {
    const t = ax.ones([2]);
    t.dispose();
    expect(t.toString()).toBe('tensor(<disposed>, shape=[2], dtype=float32)');
  });
});
