import { checkGradients, grad, gradOf, valueAndGrad } from '@axon/autograd';
import * as ax from '@axon/tensor';
import { type Tensor, tensor } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

const gen = new ax.Generator(7);
const r = (shape: number[], scale = 1) =>
  ax.mul(ax.randn(shape, { dtype: 'float64', generator: gen }), scale);

/**
 * Second order for one op: the finite-difference check of x ↦ Σ R ⊙ ∇ₓ f(x), where f(x) = Σ sin(op(x)),
 * so the gradient formula of op's kernel is itself differentiated (its saved inputs and outputs
 * included).
 */
function expectSecondOrder(op: (...xs: Tensor[]) => Tensor, inputs: Tensor[], tol = {}) {
  const f = (...xs: Tensor[]) => ax.sum(ax.sin(op(...xs)));
  const weights = inputs.map((x) => r([...x.shape]));
  const gradDotR = (...xs: Tensor[]) => {
    const gs = grad(f, { createGraph: true })(...xs);
    return gs.map((g, i) => ax.sum(ax.mul(g, weights[i]))).reduce((a, b) => ax.add(a, b));
  };
  const report = checkGradients(gradDotR, inputs, { atol: 1e-5, rtol: 1e-4, ...tol });
  expect(report.ok, report.message).toBe(true);
}

describe('second-order autograd: every registered gradient differentiates again', () => {
  const { neg, abs, exp, expm1, log, log1p, sqrt, rsqrt, square, reciprocal } = ax;
  const { sin, cos, tanh, sigmoid, relu, erf } = ax;
  const unaryOps = { neg, abs, exp, expm1, log, log1p, sqrt, rsqrt, square, reciprocal, sin, cos };
  for (const [name, fn] of Object.entries({ ...unaryOps, tanh, sigmoid, relu, erf })) {
    it(`Unary ${name}`, () => {
      const x = ax.add(ax.abs(r([2, 3])), 0.3); // positive, away from kinks and poles
      expectSecondOrder((t) => fn(t), [x]);
    });
  }
  const { add, sub, mul, div, pow, maximum, minimum } = ax;
  for (const [name, fn] of Object.entries({ add, sub, mul, div, pow, maximum, minimum })) {
    it(`Binary ${name} (broadcast)`, () => {
      const a = ax.add(ax.abs(r([2, 3])), 0.5);
      const b = ax.add(ax.abs(r([3])), 0.6);
      expectSecondOrder((p, q) => fn(p, q), [a, b]);
    });
  }
  it('Where', () => {
    const cond = tensor([[true, false, true]]);
    expectSecondOrder((a, b) => ax.where(cond, a, b), [r([2, 3]), r([3])]);
  });
  it('Reduce sum, max, min, prod', () => {
    expectSecondOrder((x) => ax.mul(ax.sum(x, [1]), ax.max(x, [0]).sum()), [r([3, 4])]);
    expectSecondOrder((x) => ax.min(ax.mul(x, x), [1]), [r([3, 4])]);
    expectSecondOrder((x) => ax.prod(ax.add(ax.abs(x), 0.5), [1]), [r([2, 3])]);
  });
  it('MatMul with each transpose flag', () => {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const a = transposeA ? r([2, 4, 3]) : r([2, 3, 4]);
      const b = transposeB ? r([5, 4]) : r([4, 5]);
      expectSecondOrder((p, q) => ax.matmul(ax.tanh(p), q, { transposeA, transposeB }), [a, b]);
    }
  });
  it('Cast, Transpose, Reshape', () => {
    expectSecondOrder(
      (x) => ax.permute(ax.reshape(ax.cast(ax.square(x), 'float64'), [3, 2, 2]), [2, 0, 1]),
      [r([2, 6])],
    );
  });
  it('Slice (with step), Concat, Pad', () => {
    expectSecondOrder(
      (x) =>
        ax.pad(ax.concat([ax.slice(ax.square(x), [0, 1], [3, 5], [1, 2]), ax.square(x)], 1), [
          [1, 0],
          [0, 2],
        ]),
      [r([3, 5])],
    );
  });
  it('Gather and ScatterAdd', () => {
    const index = tensor([[0, 2, 1, 2]], 'int32');
    expectSecondOrder(
      (x, s) => ax.scatterAdd(ax.square(x), 1, index, ax.mul(s, ax.gather(x, 1, index))),
      [r([1, 4]), r([1, 4])],
    );
  });
  it('Conv2D, and its BackpropInput and BackpropFilter kernels', () => {
    expectSecondOrder(
      (x, w) => ax.conv2d(x, w, null, { stride: 2, padding: 1 }),
      [r([1, 2, 5, 5]), r([3, 2, 3, 3])],
    );
    expectSecondOrder(
      (x, w) => ax.convTranspose2d(x, w, null, { stride: 2, padding: 1 }),
      [r([1, 3, 3, 3]), r([3, 2, 3, 3])],
    );
  });
  it('Pool2D (max, avg) and Pool2DBackward', () => {
    expectSecondOrder((x) => ax.maxPool2d(ax.square(x), { kernelSize: 2, stride: 2 }), [r([1, 2, 4, 4])]);
    expectSecondOrder(
      (x) => ax.avgPool2d(ax.square(x), { kernelSize: 3, stride: 2, padding: 1 }),
      [r([1, 2, 5, 5])],
    );
  });
  it('Resize (nearest, bilinear) and ResizeBackward', () => {
    expectSecondOrder((x) => ax.upsample(ax.square(x), { scaleFactor: 2 }), [r([1, 1, 3, 3])]);
    expectSecondOrder(
      (x) => ax.upsample(ax.square(x), { size: [5, 4], mode: 'bilinear', alignCorners: true }),
      [r([1, 2, 3, 3])],
    );
  });
});

describe('second-order autograd: the API', () => {
  it('grad of grad: d²/dx² sum(x³) = 6x', () => {
    const d1 = (x: Tensor) => grad((t) => ax.sum(ax.pow(t, 3)), { createGraph: true })(x)[0];
    const [d2] = grad((x) => ax.sum(d1(x)))(tensor([1, -2, 0.5]));
    expect(Array.from(d2.dataSync())).toEqual([6, -12, 3]);
  });

  it('a Hessian-vector product equals H v computed by hand', () => {
    // f(x) = Σ x_i² x_j over i, j = (Σ x²)(Σ x); H v for x = [1, 2], v = [1, 0].
    const x = tensor([1, 2]);
    const v = tensor([1, 0]);
    const f = (t: Tensor) => ax.mul(ax.sum(ax.square(t)), ax.sum(t));
    const [hv] = grad((t) => ax.sum(ax.mul(grad(f, { createGraph: true })(t)[0], v)))(x);
    // ∂²f/∂xi∂xj = 2δij Σx + 2xi + 2xj: H = [[2·3 + 4, 2 + 4], [6, 6 + 8]] = [[10, 6], [6, 14]]
    expect(Array.from(hv.dataSync())).toEqual([10, 6]);
  });

  it('backward({ createGraph: true }) leaves a .grad that can be differentiated again', () => {
    const w = tensor([0.5, -1]).requiresGrad_();
    ax.sum(ax.pow(w, 3)).backward({ createGraph: true });
    const g = w.grad as Tensor; // 3w²
    expect(g.requiresGrad).toBe(true);
    const s = ax.sum(g);
    w.grad = null;
    s.backward(); // d/dw Σ 3w² = 6w
    expect(Array.from((w.grad as unknown as Tensor).dataSync())).toEqual([3, -6]);
  });

  it('a gradient penalty reaches the parameters through the gradient (WGAN-GP)', () => {
    const W = r([4, 3], 0.7).requiresGrad_();
    const x = r([5, 3]);
    const critic = (t: Tensor) =>
      ax.sum(
        ax.matmul(ax.tanh(ax.matmul(t, W, { transposeB: true })), tensor([[1], [2], [-1], [0.5]], 'float64')),
      );
    const penalty = () => {
      const [gx] = grad(critic, { createGraph: true })(x);
      return ax.mean(ax.square(ax.sub(ax.norm(gx, 2, [1]), 1)));
    };
    penalty().backward();
    const analytic = (W.grad as Tensor).dataSync();
    const numeric = checkGradients(
      (w: Tensor) => {
        const c = (t: Tensor) =>
          ax.sum(
            ax.matmul(
              ax.tanh(ax.matmul(t, w, { transposeB: true })),
              tensor([[1], [2], [-1], [0.5]], 'float64'),
            ),
          );
        const [gx] = grad(c, { createGraph: true })(x);
        return ax.mean(ax.square(ax.sub(ax.norm(gx, 2, [1]), 1)));
      },
      [W],
    );
    expect(numeric.ok, numeric.message).toBe(true);
    expect(analytic.some((v) => v !== 0)).toBe(true);
  });

  it('gradOf: a penalty on the gradient of scores that a loss also uses, from one forward pass', () => {
    const W = r([4, 3], 0.7).requiresGrad_();
    const v = tensor([[1], [2], [-1], [0.5]], 'float64');
    const x = r([5, 3]);
    const scores = (w: Tensor, t: Tensor) => ax.matmul(ax.tanh(ax.matmul(t, w, { transposeB: true })), v);
    // loss = Σ scores + Σ‖∇ₓ Σ scores‖² from one forward pass …
    const leaf = x.clone().requiresGrad_();
    const out = scores(W, leaf);
    const [gx] = gradOf(ax.sum(out), [leaf], { createGraph: true });
    expect(W.grad).toBeNull(); // returned, not accumulated
    ax.add(ax.sum(out), ax.sum(ax.square(gx))).backward();
    const once = Array.from((W.grad as Tensor).dataSync());
    W.grad = null;
    // … equals the same loss from two (the gradient through grad(), the scores again)
    const [g2] = grad((t) => ax.sum(scores(W, t)), { createGraph: true })(x);
    ax.add(ax.sum(scores(W, x)), ax.sum(ax.square(g2))).backward();
    const twice = Array.from((W.grad as unknown as Tensor).dataSync());
    for (const [i, g] of once.entries()) expect(g).toBeCloseTo(twice[i], 12);
    const [plain] = gradOf(ax.sum(ax.pow(leaf, 3)), [leaf]); // 3x², no graph
    const cube = Array.from(ax.mul(ax.square(x), 3).dataSync());
    for (const [i, g] of Array.from(plain.dataSync()).entries()) expect(g).toBeCloseTo(cube[i], 12);
    expect(plain.requiresGrad).toBe(false);
    expect(() => gradOf(ax.sum(scores(W, x)), [x])).toThrow(/gradOf: input 0 does not require a gradient/);
    expect(() => gradOf(out, [leaf])).toThrow(/gradOf: output must be a scalar .*\[5, 1\]/);
  });

  it('valueAndGrad with createGraph records even inside noGrad, and without it leaves nothing behind', () => {
    const x = tensor([1, 2, 3]);
    const before = ax.memory().numTensors;
    const { value, grads } = valueAndGrad((t) => ax.sum(ax.exp(t)))(x);
    expect(ax.memory().numTensors).toBe(before + 2);
    ax.dispose([value, grads]);
    expect(ax.memory().numTensors).toBe(before);
  });
});

describe('second order through the fused cross-entropy (cpu: SoftmaxCrossEntropy)', () => {
  // Its gradient runs as composed ops whenever a graph is recorded, so it differentiates again.
  const t = tensor([2, 0, -100, 1], { dtype: 'int32' });
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`reduction '${reduction}'`, () => {
      expectSecondOrder((x) => ax.crossEntropy(x, t, { reduction }), [r([4, 3])]);
    });
  }
});
