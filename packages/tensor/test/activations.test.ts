import {
  elu,
  gelu,
  heaviside,
  leakyRelu,
  logSoftmax,
  relu,
  sigmoid,
  softmax,
  softplus,
  step,
  tanh,
  tensor,
  ValueError,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(b[i])),
    );
  }
};

const xs = [-3, -1.5, -0.2, 0, 0.4, 2, 5];
const x64 = () => tensor(xs, 'float64');
const erf = (v: number) => {
  // A plain series for the reference (|v| < 4 here): erf(v) = 2/√π Σ (-1)^n v^(2n+1) / (n! (2n+1)).
  let sum = 0;
  let term = v;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-v * v) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

describe('pointwise activations', () => {
  it('sigmoid, tanh and relu match their formulas', () => {
    close(
      sigmoid(x64()).dataSync(),
      xs.map((v) => 1 / (1 + Math.exp(-v))),
      1e-12,
    );
    close(tanh(x64()).dataSync(), xs.map(Math.tanh), 1e-12);
    expect(Array.from(relu(x64()).dataSync())).toEqual([0, 0, 0, 0, 0.4, 2, 5]);
  });

  it('sigmoid saturates without overflow on large logits', () => {
    expect(Array.from(sigmoid(tensor([-1000, 1000])).dataSync())).toEqual([0, 1]);
  });

  it('promotes integer inputs to float32', () => {
    const i = tensor([-2, 0, 3], 'int32');
    for (const y of [sigmoid(i), tanh(i), relu(i), leakyRelu(i), elu(i), gelu(i), softplus(i), softmax(i)]) {
      expect(y.dtype).toBe('float32');
    }
    expect(Array.from(relu(i).dataSync())).toEqual([0, 0, 3]);
    expect(sigmoid(x64()).dtype).toBe('float64');
  });

  it('step is 1 only for x > 0 (step(0) = 0) and keeps int32', () => {
    expect(Array.from(step(x64()).dataSync())).toEqual([0, 0, 0, 0, 1, 1, 1]);
    const s = step(tensor([-1, 0, 2], 'int32'));
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.dataSync())).toEqual([0, 0, 1]);
  });

  it('heaviside puts valueAtZero at exact zeros (torch.heaviside)', () => {
    expect(Array.from(heaviside(tensor([0, 0, -0.138, 0.193, 0]), 0.5).dataSync())).toEqual([
      0.5, 0.5, 0, 1, 0.5,
    ]);
    expect(Array.from(heaviside(tensor([-2, 0, 3]), 1).dataSync())).toEqual([0, 1, 1]);
  });

  it('leakyRelu scales the negative side by alpha', () => {
    close(
      leakyRelu(x64()).dataSync(),
      xs.map((v) => (v > 0 ? v : 0.01 * v)),
      1e-12,
    );
    close(leakyRelu(x64(), 0.3).dataSync(), [-0.9, -0.45, -0.06, 0, 0.4, 2, 5], 1e-12);
  });

  it('elu is alpha·(exp(x) − 1) on the negative side', () => {
    close(
      elu(x64()).dataSync(),
      xs.map((v) => (v > 0 ? v : Math.expm1(v))),
      1e-12,
    );
    close(
      elu(x64(), 0.5).dataSync(),
      xs.map((v) => (v > 0 ? v : 0.5 * Math.expm1(v))),
      1e-12,
    );
    // A large input must not leak the inf of its unused exp branch.
    expect(Array.from(elu(tensor([1000], 'float64')).dataSync())).toEqual([1000]);
  });

  it('gelu, exact and tanh approximation', () => {
    close(
      gelu(x64()).dataSync(),
      xs.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
      1e-10,
    );
    const c = Math.sqrt(2 / Math.PI);
    close(
      gelu(x64(), 'tanh').dataSync(),
      xs.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)))),
      1e-12,
    );
  });

  it('softplus is stable and returns x above the threshold (torch values)', () => {
    const x = tensor([-30, -5, 0.5, 19.5, 20.5, 25, 3, -0.7], 'float64');
    const torchOut = [
      9.357622968839737e-14, 0.006715348489118068, 0.9740769841801067, 19.500000003398267, 20.5, 25.0,
      3.048587351573742, 0.4031860488854579,
    ];
    close(softplus(x).dataSync(), torchOut, 1e-12);
    // float32: a naive log(1 + exp(x)) would overflow at 100.
    close(softplus(tensor([100, -100])).dataSync(), [100, 0], 1e-6);
    expect(softplus(tensor([1000]), 1, 2000).dataSync()[0]).toBe(1000);
  });

  it('softplus with beta is (1/β)·log(1 + exp(β·x)), thresholded on β·x', () => {
    close(
      softplus(x64(), 2).dataSync(),
      xs.map((v) => Math.log1p(Math.exp(2 * v)) / 2),
      1e-12,
    );
    // β·x = 10.5 > 10: returns x itself.
    expect(softplus(tensor([5.25], 'float64'), 2, 10).dataSync()[0]).toBe(5.25);
  });
});

describe('softmax and logSoftmax', () => {
  // torch's activations/softmax_large_logits and log_softmax_large_logits cases.
  const big = [
    100.87108331265831, 102.38333463569458, 98.93312179076912, 99.98655108048824, 97.27698370821068,
    98.37758045211194, 102.2635549073544, 100.41052134612583,
  ];
  const bigSoftmax = [
    0.1641001979151203, 0.744511670182294, 0.023629966707041053, 0.06775816519554463, 0.005767196529472323,
    0.017335957908335028, 0.8445106029616467, 0.13238624260054588,
  ];
  const big2 = [
    100.04973992666568, 101.492891426977, 102.3155750034519, 99.92786165731044, 98.24029738273002,
    101.44509843330701, 97.62305146308024, 99.90993981080479,
  ];
  const big2LogSoftmax = [
    -2.757376420717946, -1.3142249204066299, -0.4915413439317286, -2.8792546900731817, -3.4499968151015423,
    -0.24519576452455266, -4.067242734751318, -1.7803543870267757,
  ];

  it('handles large logits in float32 and float64 (torch values)', () => {
    close(softmax(tensor(big, { shape: [2, 4] })).dataSync(), bigSoftmax, 1e-5);
    close(softmax(tensor(big, { shape: [2, 4], dtype: 'float64' })).dataSync(), bigSoftmax, 1e-12);
    close(logSoftmax(tensor(big2, { shape: [2, 4] })).dataSync(), big2LogSoftmax, 1e-5);
    close(logSoftmax(tensor(big2, { shape: [2, 4], dtype: 'float64' })).dataSync(), big2LogSoftmax, 1e-12);
    close(softmax(tensor([1000, 0, -1000])).dataSync(), [1, 0, 0]);
  });

  it('normalises along the given axis', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 5],
      ],
      'float64',
    );
    const e = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));
    close(softmax(x, 0).dataSync(), [e(1, 3), e(2, 5), e(3, 1), e(5, 2)], 1e-12);
    close(softmax(x, 1).dataSync(), [e(1, 2), e(2, 1), e(3, 5), e(5, 3)], 1e-12);
    close(logSoftmax(x, 0).dataSync(), [e(1, 3), e(2, 5), e(3, 1), e(5, 2)].map(Math.log), 1e-12);
    expect(softmax(tensor([[[1, 2, 3]]])).shape).toEqual([1, 1, 3]);
  });

  it('gives -inf entries zero probability', () => {
    close(softmax(tensor([0, Number.NEGATIVE_INFINITY, 0])).dataSync(), [0.5, 0, 0.5]);
    const l = logSoftmax(tensor([0, Number.NEGATIVE_INFINITY])).dataSync();
    expect(l[0]).toBe(0);
    expect(l[1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('treats a 0-d tensor as a single-element row', () => {
    expect(softmax(tensor(3)).item()).toBe(1);
    expect(logSoftmax(tensor(3)).item()).toBe(0);
  });
});

describe('activation errors', () => {
  it('rejects non-tensors and bad hyper-parameters, naming the op', () => {
    expect(() => relu([1, 2] as never)).toThrow(ValueError);
    expect(() => sigmoid(3 as never)).toThrow("sigmoid: expected 'x' to be a Tensor, got number 3");
    expect(() => gelu(tensor([1]), 'fast' as never)).toThrow(
      "gelu: approximate must be 'none' or 'tanh', got 'fast'",
    );
    expect(() => softplus(tensor([1]), 0)).toThrow('softplus: beta must be non-zero, got 0');
    expect(() => leakyRelu(tensor([1]), Number.NaN)).toThrow(
      "leakyRelu: expected 'alpha' to be a finite number, got NaN",
    );
    expect(() => heaviside(tensor([1]), undefined as never)).toThrow(
      "heaviside: expected 'valueAtZero' to be a finite number, got undefined",
    );
    expect(() => elu(tensor([1]), '1' as never)).toThrow(ValueError);
  });

  it('rejects an axis out of range', () => {
    expect(() => softmax(tensor([[1, 2]]), 2)).toThrow(ValueError);
    expect(() => softmax(tensor([[1, 2]]), 2)).toThrow(
      'softmax: axis 2 is out of range for a tensor of rank 2',
    );
    expect(() => logSoftmax(tensor([1, 2]), -2)).toThrow(
      'logSoftmax: axis -2 is out of range for a tensor of rank 1',
    );
  });
});
