import { grad } from '@axon/autograd';
import {
  elu,
  Generator,
  gelu,
  heaviside,
  leakyRelu,
  logSoftmax,
  mul,
  randn,
  relu,
  sigmoid,
  softmax,
  softplus,
  step,
  sum,
  type Tensor,
  tanh,
  tensor,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { expectGradientsMatch } from './helpers';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(b[i])),
    );
  }
};
const f64 = (data: number[], shape = [data.length]) => tensor(data, { shape, dtype: 'float64' });

/** Points clear of every kink (0) by at least 0.05, so finite differences are exact. */
const smooth = () => f64([-2.3, -0.9, -0.3, -0.07, 0.06, 0.45, 1.1, 3.2], [2, 4]);

/** The gradient of sum(f(x) ⊙ r), torch's L for a fixture. */
function vjp(f: (x: Tensor) => Tensor, x: Tensor, r: Tensor): Float64Array {
  return grad((v: Tensor) => sum(mul(f(v), r)))(x)[0].dataSync() as Float64Array;
}

describe('activation gradients match finite differences', () => {
  it('sigmoid, tanh, relu', () => {
    expectGradientsMatch(sigmoid, [smooth()]);
    expectGradientsMatch(tanh, [smooth()]);
    expectGradientsMatch(relu, [smooth()]);
  });

  it('leakyRelu and elu, default and custom alpha', () => {
    expectGradientsMatch((x) => leakyRelu(x), [smooth()]);
    expectGradientsMatch((x) => leakyRelu(x, 0.3), [smooth()]);
    expectGradientsMatch((x) => elu(x), [smooth()]);
    expectGradientsMatch((x) => elu(x, 0.5), [smooth()]);
  });

  it('gelu, exact and tanh', () => {
    expectGradientsMatch((x) => gelu(x), [smooth()]);
    expectGradientsMatch((x) => gelu(x, 'tanh'), [smooth()]);
  });

  it('softplus, with beta and around the threshold', () => {
    expectGradientsMatch((x) => softplus(x), [smooth()]);
    expectGradientsMatch((x) => softplus(x, 2), [smooth()]);
    // β·x on both sides of the threshold 4 (but not on it).
    expectGradientsMatch((x) => softplus(x, 2, 4), [f64([-1, 0.5, 1.7, 2.3, 6])]);
  });

  it('softmax and logSoftmax along each axis', () => {
    const x = randn([2, 3, 4], { dtype: 'float64', generator: new Generator(7) });
    for (const axis of [0, 1, -1]) {
      expectGradientsMatch((v) => softmax(v, axis), [x]);
      expectGradientsMatch((v) => logSoftmax(v, axis), [x]);
    }
  });

  it('step and heaviside are flat: zero gradient', () => {
    const x = smooth();
    expect(Array.from(grad((v: Tensor) => sum(step(v)))(x)[0].dataSync())).toEqual(new Array(8).fill(0));
    expect(Array.from(grad((v: Tensor) => sum(heaviside(v, 0.5)))(x)[0].dataSync())).toEqual(
      new Array(8).fill(0),
    );
  });
});

describe("torch's gradients", () => {
  it('at the kink: relu′(0) = 0, leakyRelu′(0) = alpha, elu′(0) = alpha, softplus′(0) = 1/2', () => {
    const x = f64([-1, 0, 2, 0, -0.5, 0.5], [2, 3]);
    const ones = (f: (v: Tensor) => Tensor) => Array.from(grad((v: Tensor) => sum(f(v)))(x)[0].dataSync());
    expect(ones(relu)).toEqual([0, 0, 1, 0, 0, 1]);
    // A NaN input passes the gradient on and -0 does not, as torch's threshold_backward (self <= 0 → 0).
    const special = f64([Number.NaN, -0, 3], [3]);
    expect(
      Array.from(grad((v: Tensor) => sum(mul(relu(v), f64([2, 2, 2], [3]))))(special)[0].dataSync()),
    ).toEqual([2, 0, 2]);
    close(
      ones((v) => leakyRelu(v, 0.3)),
      [0.3, 0.3, 1, 0.3, 0.3, 1],
      1e-15,
    );
    close(
      ones((v) => elu(v, 0.5)),
      [0.5 * Math.exp(-1), 0.5, 1, 0.5, 0.5 * Math.exp(-0.5), 1],
      1e-15,
    );
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    close(
      ones((v) => softplus(v)),
      [-1, 0, 2, 0, -0.5, 0.5].map(sig),
      1e-15,
    );
  });

  it('leakyRelu at zero (edge_cases/leaky_relu_at_zero)', () => {
    const r = f64([
      1.317217094606453, -1.079639411437638, 0.18600108964168982, -0.1463688670112098, -0.23030958817790068,
      1.0116570456963583,
    ]);
    const g = vjp((v) => leakyRelu(v, 0.3), f64([-1, 0, 2, 0, -0.5, 0.5]), r);
    close(
      g,
      [
        0.3951651283819359, -0.32389182343129136, 0.18600108964168982, -0.04391066010336294,
        -0.0690928764533702, 1.0116570456963583,
      ],
    );
  });

  it('stay finite where a branch overflows', () => {
    const x = f64([1000, -1000, 50]);
    for (const f of [
      (v: Tensor) => elu(v),
      (v: Tensor) => softplus(v),
      (v: Tensor) => softplus(v, 1, 1e9),
      gelu,
      sigmoid,
    ]) {
      const g = grad((v: Tensor) => sum(f(v)))(x)[0].dataSync();
      for (const v of g) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('softmax with large logits (activations/softmax_large_logits)', () => {
    const x = f64(
      [
        100.87108331265831, 102.38333463569458, 98.93312179076912, 99.98655108048824, 97.27698370821068,
        98.37758045211194, 102.2635549073544, 100.41052134612583,
      ],
      [2, 4],
    );
    const r = f64(
      [
        0.9925588509776925, -0.0731427688302531, -0.4473852839770025, -1.2687229661361332, 1.3325683447879753,
        -0.839772624542059, -1.9485604278979054, -1.9703337640282292,
      ],
      [2, 4],
    );
    close(
      vjp((v) => softmax(v), x, r),
      [
        0.1609287042428759, -0.06330447829179615, -0.010852551425871784, -0.08677167452520794,
        0.01871954972376099, 0.01861059254097989, -0.029779405658276113, -0.0075507366064648486,
      ],
    );
  });

  it('logSoftmax with large logits (activations/log_softmax_large_logits)', () => {
    const x = f64(
      [
        100.04973992666568, 101.492891426977, 102.3155750034519, 99.92786165731044, 98.24029738273002,
        101.44509843330701, 97.62305146308024, 99.90993981080479,
      ],
      [2, 4],
    );
    const r = f64(
      [
        0.7401267971916518, -0.18252608500326584, -0.25685477439176735, -0.48687701048474696,
        0.9600726606321476, -0.04348665455902978, -0.5276868336971876, 0.1109539813425565,
      ],
      [2, 4],
    );
    close(
      vjp((v) => logSoftmax(v), x, r),
      [
        0.7519383097536199, -0.13251592439245793, -0.14300158871437285, -0.4764207966467891,
        0.9442044536332225, -0.4346474035350902, -0.5362465892084021, 0.02668953911026977,
      ],
    );
  });

  it('softplus above the threshold passes the gradient through (activations/softplus_above_threshold)', () => {
    const x = f64([-30, -5, 0.5, 19.5, 20.5, 25, 3, -0.7]);
    const r = f64([
      0.9168265079830042, -0.9187874333420478, -0.5939786992578566, 1.244905593820128, -0.2907342538060191,
      -0.20203302195670161, -0.37027497905611406, -2.105948276835605,
    ]);
    close(
      vjp((v) => softplus(v), x, r),
      [
        8.579316789542489e-14, -0.006149307322464635, -0.36972758388819293, 1.2449055895896055,
        -0.2907342538060191, -0.20203302195670161, -0.3527143648585726, -0.6987793894354338,
      ],
    );
  });
});
