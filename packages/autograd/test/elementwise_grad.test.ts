import { checkGradients } from '@axon/autograd';
import * as ax from '@axon/tensor';
import { type Tensor, tensor } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

// Values away from every kink (0 for abs/relu, ties for max/min).
const pos = () =>
  tensor([
    [0.3, 1.7, 2.2],
    [0.9, 1.1, 3.4],
  ]);
const mixed = () =>
  tensor([
    [-1.3, 0.7, 2.1],
    [0.4, -0.6, -2.5],
  ]);

describe('gradients of unary ops (finite differences, float64)', () => {
  const onMixed: [string, (x: Tensor) => Tensor][] = [
    ['neg', ax.neg],
    ['abs', ax.abs],
    ['square', ax.square],
    ['exp', ax.exp],
    ['expm1', ax.expm1],
    ['sin', ax.sin],
    ['cos', ax.cos],
    ['erf', ax.erf],
    ['tanh', (x) => ax.ENGINE.runKernel('Unary', [x], { op: 'tanh' })[0]],
    ['sigmoid', (x) => ax.ENGINE.runKernel('Unary', [x], { op: 'sigmoid' })[0]],
    ['relu', (x) => ax.ENGINE.runKernel('Unary', [x], { op: 'relu' })[0]],
  ];
  const onPositive: [string, (x: Tensor) => Tensor][] = [
    ['log', ax.log],
    ['log1p', ax.log1p],
    ['sqrt', ax.sqrt],
    ['rsqrt', ax.rsqrt],
    ['reciprocal', ax.reciprocal],
  ];
  for (const [name, f] of onMixed) it(name, () => expectGradientsMatch(f, [mixed()]));
  for (const [name, f] of onPositive) it(name, () => expectGradientsMatch(f, [pos()]));

  it('piecewise-constant ops have zero gradient', () => {
    // d/dx (f(x) * x) = f(x) when f' = 0; the values keep clear of every step (integers, halves).
    const x = tensor([
      [-1.3, 0.7, 2.1],
      [0.4, -0.6, -2.2],
    ]);
    for (const f of [ax.sign, ax.floor, ax.ceil, ax.round]) expectGradientsMatch((t) => f(t).mul(t), [x]);
  });
});

describe('gradients of binary ops with broadcasting', () => {
  const a = () => tensor([[[0.5, 1.5, 2.5, 0.7]], [[1.2, 0.3, 0.9, 2.2]]]); // [2,1,4]
  const b = () => tensor([[0.8], [1.9], [0.6]]); // [3,1]
  for (const [name, f] of [
    ['add', ax.add],
    ['sub', ax.sub],
    ['mul', ax.mul],
    ['div', ax.div],
    ['pow', ax.pow],
    ['maximum', ax.maximum],
    ['minimum', ax.minimum],
  ] as const) {
    it(name, () => expectGradientsMatch((x, y) => f(x, y), [a(), b()]));
  }

  it('with a number operand', () => {
    expectGradientsMatch((x) => ax.pow(x, 2.5).add(3).mul(2).div(5).sub(1), [pos()]);
    expectGradientsMatch((x) => ax.sub(1, ax.div(2, x)), [pos()]);
  });

  it('ties of maximum split the gradient evenly, like torch', () => {
    const g = ax.tidy(() => {
      const x = tensor([1, 2]).requiresGrad_();
      ax.maximum(x, tensor([1, 1]))
        .sum()
        .backward();
      return x.grad!;
    });
    expect(Array.from(g.dataSync())).toEqual([0.5, 1]);
  });

  it('where and clamp', () => {
    const cond = tensor([[true, false, true]]);
    expectGradientsMatch((x, y) => ax.where(cond, x, y), [mixed(), tensor([0.5, 0.25, 2])]);
    expectGradientsMatch((x) => ax.clamp(x, -1, 1), [mixed()]);
  });

  it('cast passes the gradient through, in the input dtype', () => {
    // Through float32 the function is only float32-accurate, so a larger step and tolerance.
    const r = checkGradients((x) => ax.cast(x, 'float32').mul(ax.cast(x, 'float64')), [mixed()], {
      eps: 1e-2,
      rtol: 1e-3,
      atol: 1e-4,
    });
    expect(r.ok, r.message).toBe(true);
    const [g] = ax.tidy(() => {
      const x = tensor([1, 2], 'float64').requiresGrad_();
      ax.cast(x, 'float32').sum().backward();
      return [x.grad!];
    });
    expect(g.dtype).toBe('float64');
  });
});

describe('gradients of reductions and shape ops', () => {
  const x = () =>
    tensor([
      [
        [0.3, -1.2, 2.0],
        [1.1, 0.5, -0.7],
      ],
      [
        [-0.4, 0.8, 1.6],
        [2.3, -1.9, 0.1],
      ],
    ]);
  it('sum / mean over axes', () => {
    expectGradientsMatch((t) => ax.sum(t, [0, 2]), [x()]);
    expectGradientsMatch((t) => ax.mean(t, 1, true), [x()]);
    expectGradientsMatch((t) => ax.sum(t), [x()]);
  });
  it('max / min / prod', () => {
    expectGradientsMatch((t) => ax.max(t, 2), [x()]);
    expectGradientsMatch((t) => ax.min(t, [0, 1]), [x()]);
    expectGradientsMatch((t) => ax.prod(t, 1), [x()]);
  });
  it('variance / std / logsumexp', () => {
    expectGradientsMatch((t) => ax.variance(t, 2), [x()]);
    expectGradientsMatch((t) => ax.std(t, [0, 1], { correction: 0 }), [x()]);
    expectGradientsMatch((t) => ax.logsumexp(t, -1), [x()]);
  });
  it('reshape / flatten / squeeze / unsqueeze / expand / permute / transpose', () => {
    expectGradientsMatch((t) => ax.reshape(t, [3, 4]).mul(tensor([1, 2, 3, 4])), [x()]);
    expectGradientsMatch((t) => ax.flatten(t, 1).mul(tensor([1, 2, 3, 4, 5, 6])), [x()]);
    expectGradientsMatch((t) => ax.unsqueeze(t, 1).squeeze(1).mul(t), [x()]);
    expectGradientsMatch(
      (t) => ax.expand(t.reshape([2, 1, 6]), [2, 3, 6]).mul(ax.arange(6).cast('float64')),
      [x()],
    );
    expectGradientsMatch((t) => ax.permute(t, [2, 0, 1]).mul(tensor([[[1]], [[2]], [[3]]])), [x()]);
    expectGradientsMatch((t) => ax.transpose(t, 0, 2).mul(tensor([[[1]], [[2]], [[3]]])), [x()]);
  });
  it('matmul through the op layer (1-D operands)', () => {
    expectGradientsMatch(
      (v, m) => ax.matmul(v, m),
      [
        tensor([0.3, -1.2, 2.0]),
        tensor([
          [1, 2],
          [3, 4],
          [5, 6.5],
        ]),
      ],
    );
  });
});
