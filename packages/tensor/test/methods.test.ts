import * as ax from '@axon/tensor';
import { describe, expect, it } from 'vitest';

describe('chainable methods forward to the ops', () => {
  const x = ax.tensor([
    [-1.5, 0.5, 2],
    [3, -0.25, 1],
  ]);
  const same = (a: ax.Tensor, b: ax.Tensor) => {
    expect(a.shape).toEqual(b.shape);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  };

  it('arithmetic, reductions and shapes', () => {
    same(x.add(1).mul(2).sub(x).div(4), ax.div(ax.sub(ax.mul(ax.add(x, 1), 2), x), 4));
    same(x.sum(1, true), ax.sum(x, 1, true));
    same(x.T, ax.transpose(x));
    same(x.reshape([3, 2]).flatten(), ax.flatten(ax.reshape(x, [3, 2])));
    same(x.matmul(x.T), ax.matmul(x, ax.transpose(x)));
  });

  it('activations and movement', () => {
    same(x.relu(), ax.relu(x));
    same(x.softmax(), ax.softmax(x, -1));
    same(x.leakyRelu(0.2), ax.leakyRelu(x, 0.2));
    same(x.slice([null, 1]), ax.slice(x, [null, 1]));
    same(x.gather(1, ax.tensor([[0], [2]], 'int32')), ax.tensor([[-1.5], [1]]));
    const [a, b] = x.split(1);
    same(a, ax.tensor([[-1.5, 0.5, 2]]));
    same(b, ax.tensor([[3, -0.25, 1]]));
  });
});
