import { grad } from '@axon/autograd';
import {
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  conv2d,
  conv2dBackpropInput,
  convTranspose2d,
  Generator,
  type kernels,
  memory,
  mul,
  randn,
  sum,
  type Tensor,
  tidy,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

const gen = new Generator(21);
const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });

describe('conv2d gradients (finite differences, float64)', () => {
  const cases: [string, Conv2dOptions, number[], number[]][] = [
    ['plain', {}, [2, 3, 5, 4], [4, 3, 3, 3]],
    ['stride 2, padding 1', { stride: 2, padding: 1 }, [2, 2, 6, 5], [3, 2, 3, 3]],
    ['stride [2, 1], padding [0, 2]', { stride: [2, 1], padding: [0, 2] }, [1, 2, 5, 4], [2, 2, 2, 3]],
    ['dilation 2', { dilation: 2, padding: 1 }, [1, 2, 6, 6], [3, 2, 3, 3]],
    ['groups 2', { groups: 2, padding: 1 }, [2, 4, 4, 4], [6, 2, 3, 3]],
    ['depthwise (groups = C)', { groups: 3 }, [1, 3, 4, 4], [3, 1, 2, 2]],
    ["'same' with an even kernel (asymmetric padding)", { padding: 'same' }, [1, 2, 5, 5], [2, 2, 4, 2]],
    ["'same' with dilation", { padding: 'same', dilation: [1, 2] }, [1, 2, 4, 5], [2, 2, 3, 2]],
    ['1×1 kernel (pointwise path)', {}, [2, 3, 3, 4], [5, 3, 1, 1]],
  ];
  for (const [label, opts, xShape, wShape] of cases) {
    it(label, () => {
      expectGradientsMatch((x, w) => conv2d(x, w, null, opts), [r(xShape), r(wShape)]);
    });
  }

  it('with bias', () => {
    expectGradientsMatch(
      (x, w, b) => conv2d(x, w, b, { padding: 1 }),
      [r([2, 2, 4, 4]), r([3, 2, 3, 3]), r([3])],
    );
  });

  it('accumulates when x feeds two convs (shared weight)', () => {
    expectGradientsMatch(
      (x, w) => mul(conv2d(x, w, null, { padding: 1 }), conv2d(x, w, null, { padding: 1 })),
      [r([1, 2, 3, 3]), r([2, 2, 3, 3])],
    );
  });
});

describe('convTranspose2d gradients (finite differences, float64)', () => {
  const cases: [string, ConvTranspose2dOptions, number[], number[]][] = [
    ['plain', {}, [2, 3, 3, 4], [3, 2, 3, 3]],
    [
      'stride 2, padding 1, outputPadding 1',
      { stride: 2, padding: 1, outputPadding: 1 },
      [1, 2, 3, 3],
      [2, 3, 3, 3],
    ],
    [
      'stride [2, 3], outputPadding [1, 2]',
      { stride: [2, 3], outputPadding: [1, 2] },
      [1, 2, 2, 3],
      [2, 2, 2, 2],
    ],
    [
      'dilation 2, outputPadding 1 >= stride 1',
      { dilation: 2, outputPadding: 1 },
      [1, 2, 3, 3],
      [2, 2, 2, 2],
    ],
    [
      'padding 2, dilation 3, outputPadding 1 >= stride 1',
      { padding: 2, dilation: 3, outputPadding: 1 },
      [1, 2, 3, 4],
      [2, 2, 3, 2],
    ],
    ['groups 2', { groups: 2, stride: 2, padding: 1 }, [1, 4, 3, 3], [4, 1, 3, 3]],
    ['1×1 kernel (pointwise path)', {}, [2, 3, 3, 2], [3, 4, 1, 1]],
  ];
  for (const [label, opts, xShape, wShape] of cases) {
    it(label, () => {
      expectGradientsMatch((x, w) => convTranspose2d(x, w, null, opts), [r(xShape), r(wShape)]);
    });
  }

  it('with bias', () => {
    expectGradientsMatch(
      (x, w, b) => convTranspose2d(x, w, b, { stride: 2 }),
      [r([1, 2, 3, 3]), r([2, 3, 2, 2]), r([3])],
    );
  });

  it('the raw backprop-input op with asymmetric padding', () => {
    // The kernel behind convTranspose2d, here as the input-gradient of a 'same' conv with an even kernel.
    const attrs: kernels.Conv2DBackpropInputAttrs = {
      stride: [1, 1],
      pad: [1, 2, 0, 1],
      dilation: [1, 1],
      groups: 1,
      inputShape: [1, 2, 4, 4],
    };
    expectGradientsMatch((dy, w) => conv2dBackpropInput(dy, w, attrs), [r([1, 3, 4, 4]), r([3, 2, 4, 2])]);
  });
});

describe('conv memory', () => {
  it('grad through conv2d and convTranspose2d leaves no tensors behind', () => {
    const x = r([1, 2, 4, 4]);
    const w = r([3, 2, 3, 3]);
    const before = memory().numTensors;
    tidy(() => {
      const [gx, gw] = grad((a: Tensor, b: Tensor) =>
        sum(convTranspose2d(conv2d(a, b, null, { stride: 2 }), b, null, { stride: 2 })),
      )(x, w);
      expect(gx.shape).toEqual([1, 2, 4, 4]);
      expect(gw.shape).toEqual([3, 2, 3, 3]);
    });
    expect(memory().numTensors).toBe(before);
  });
});
