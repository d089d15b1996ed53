import { grad } from '@axon/autograd';
import {
  avgPool2d,
  Generator,
  globalAvgPool2d,
  maxPool2d,
  maxPool2dWithIndices,
  minPool2d,
  type Pool2dOptions,
  randn,
  sum,
  type Tensor,
  tensor,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

// Random normal values have no ties, so max/min are differentiable at these points.
const gen = new Generator(33);
const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });

const windows: [string, Pool2dOptions][] = [
  ['k2 s2', { kernelSize: 2 }],
  ['k3 s2 p1', { kernelSize: 3, stride: 2, padding: 1 }],
  ['overlapping k3 s1 p1', { kernelSize: 3, stride: 1, padding: 1 }],
  ['k [2, 3] s [1, 2] p [1, 0]', { kernelSize: [2, 3], stride: [1, 2], padding: [1, 0] }],
];

describe('pooling gradients (finite differences, float64)', () => {
  for (const [label, opts] of windows) {
    it(`maxPool2d ${label}`, () => expectGradientsMatch((x) => maxPool2d(x, opts), [r([2, 2, 5, 6])]));
    it(`maxPool2dWithIndices ${label}`, () =>
      expectGradientsMatch((x) => maxPool2dWithIndices(x, opts).values, [r([1, 2, 5, 6])]));
    it(`minPool2d ${label}`, () => expectGradientsMatch((x) => minPool2d(x, opts), [r([2, 2, 5, 6])]));
    for (const countIncludePad of [true, false]) {
      it(`avgPool2d ${label} countIncludePad ${countIncludePad}`, () =>
        expectGradientsMatch((x) => avgPool2d(x, { ...opts, countIncludePad }), [r([2, 2, 5, 6])]));
    }
  }

  it('globalAvgPool2d', () => expectGradientsMatch((x) => globalAvgPool2d(x), [r([2, 3, 4, 5])]));

  it('max pooling routes the gradient to the winner only, the first one on ties', () => {
    // Overlapping windows (k2 s1) share winners, whose gradients add up.
    const x = tensor([1, 5, 2, 5, 0, 3, 4, 4, 4], { shape: [1, 1, 3, 3], dtype: 'float64' });
    const [g] = grad((v: Tensor) => sum(maxPool2d(v, { kernelSize: 2, stride: 1 })))(x);
    // Windows' winners: 5 at (0, 1) for both top windows; (1, 0) = 5 beats (2, 0..1) = 4 for the
    // bottom-left; bottom-right has 3, 4, 4 at (1, 2), (2, 1), (2, 2): the first 4 wins.
    expect([...g.dataSync()]).toEqual([0, 2, 0, 1, 0, 0, 0, 1, 0]);
  });
});
