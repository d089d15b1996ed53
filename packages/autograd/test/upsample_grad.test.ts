import { grad } from '@axon/autograd';
import { Generator, randn, sum, type Tensor, tensor, type UpsampleOptions, upsample } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

const gen = new Generator(44);
const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });

describe('upsample gradients (finite differences, float64)', () => {
  const cases: [string, UpsampleOptions][] = [
    ['nearest ×2', { scaleFactor: 2 }],
    ['nearest to [5, 4] (uneven)', { size: [5, 4] }],
    ['nearest down to [2, 2]', { size: [2, 2] }],
    ['bilinear ×2', { scaleFactor: 2, mode: 'bilinear' }],
    ['bilinear ×2 alignCorners', { scaleFactor: 2, mode: 'bilinear', alignCorners: true }],
    ['bilinear to [5, 7]', { size: [5, 7], mode: 'bilinear' }],
    ['bilinear to [5, 7] alignCorners', { size: [5, 7], mode: 'bilinear', alignCorners: true }],
    ['bilinear down to [2, 1]', { size: [2, 1], mode: 'bilinear' }],
    ['bilinear down to [2, 1] alignCorners', { size: [2, 1], mode: 'bilinear', alignCorners: true }],
  ];
  for (const [label, opts] of cases) {
    it(label, () => expectGradientsMatch((x) => upsample(x, opts), [r([2, 2, 3, 3])]));
  }

  it('nearest sends each output gradient to its source pixel (hand-computed)', () => {
    // 2 → 3 columns reads sources [0, 0, 1]: column 0 collects two outputs, column 1 one.
    const x = tensor([1, 2], { shape: [1, 1, 1, 2], dtype: 'float64' });
    const [g] = grad((v: Tensor) => sum(upsample(v, { size: [1, 3] })))(x);
    expect([...g.dataSync()]).toEqual([2, 1]);
  });
});
