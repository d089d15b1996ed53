/**
 * Functional activations, composed from existing kernels (no kernel of their own), so that
 * autograd differentiates them through the kernels they use and every backend runs them; softmax
 * alone is recorded as one pseudo-kernel, whose gradient autograd writes from its output.
 * Semantics, including the (sub)gradient chosen at kinks, follow torch.nn.functional.
 */
import { isFloat } from '../dtype';
import { ValueError } from '../errors';
import { ENGINE } from '../global_engine';
import { Unary, type UnaryOp } from '../kernels';
import { normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { scalar } from './creation';
import {
  abs,
  add,
  cast,
  div,
  eq,
  erf,
  exp,
  expm1,
  gt,
  log1p,
  maximum,
  mul,
  neg,
  sub,
  where,
} from './elementwise';
import { logsumexp, max, sum } from './reduce';
import { assertTensor, op, run } from './util';

/** Integer and bool inputs become float32 (as torch's activations require a float tensor). */
function toFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, 'float32');
}

function assertNumber(name: string, label: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${name}: expected '${label}' to be a finite number, got ${String(value)}`);
  }
  return value;
}

function unaryActivation(name: string, code: UnaryOp) {
  return op((x: Tensor): Tensor => run(Unary, [toFloat(assertTensor(name, x))], { op: code }));
}

/** 1 / (1 + exp(-x)); the kernel saturates without overflow for large |x|. */
export const sigmoid = unaryActivation('sigmoid', 'sigmoid');
export const tanh = unaryActivation('tanh', 'tanh');
/** max(x, 0), with relu'(0) = 0 as in torch. */
export const relu = unaryActivation('relu', 'relu');

/** 1 where x > 0, else 0 (so step(0) = 0). Piecewise constant: its gradient is 0. */
export const step = op((x: Tensor): Tensor => {
  assertTensor('step', x);
  // int32 keeps its dtype, as torch.heaviside does; bool has no arithmetic, so it becomes float32.
  return run(Unary, [x.dtype === 'bool' ? cast(x, 'float32') : x], { op: 'step' });
});

/** torch.heaviside(x, valueAtZero): 1 where x > 0, 0 where x < 0, `valueAtZero` where x == 0. */
export const heaviside = op((x: Tensor, valueAtZero: number): Tensor => {
  assertTensor('heaviside', x);
  assertNumber('heaviside', 'valueAtZero', valueAtZero);
  return where(eq(x, 0), valueAtZero, step(x));
});

/**
 * x where x > 0, else alpha·x. At x = 0 the gradient is alpha, as in torch (which tests x > 0).
 */
export const leakyRelu = op((x: Tensor, alpha = 0.01): Tensor => {
  const xf = toFloat(assertTensor('leakyRelu', x));
  assertNumber('leakyRelu', 'alpha', alpha);
  // x times its slope (1 where x > 0, else alpha): the same bits as where(x > 0, x, alpha·x), and
  // the slope, a constant, makes the gradient one product (g · slope, itself differentiable for
  // second-order gradients such as WGAN-GP's penalty) instead of two selects and an add.
  return mul(xf, where(gt(xf, 0), scalar(1, xf.dtype), alpha));
});

/** x where x > 0, else alpha·(exp(x) − 1). The gradient at 0 is alpha, as in torch. */
export const elu = op((x: Tensor, alpha = 1): Tensor => {
  const xf = toFloat(assertTensor('elu', x));
  assertNumber('elu', 'alpha', alpha);
  const pos = gt(xf, 0);
  // The negative branch sees 0 where x > 0: expm1 of a large x would be inf, and the zero
  // gradient that `where` sends to the unused branch times inf would make a NaN.
  const negPart = where(pos, 0, xf);
  return where(pos, xf, mul(expm1(negPart), alpha));
});

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit: exact 0.5·x·(1 + erf(x/√2)), or torch's tanh approximation
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export const gelu = op((x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => {
  const xf = toFloat(assertTensor('gelu', x));
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  const inner =
    approximate === 'none'
      ? erf(mul(xf, SQRT1_2))
      : tanh(mul(add(xf, mul(mul(mul(xf, xf), xf), 0.044715)), SQRT_2_OVER_PI));
  return mul(mul(xf, 0.5), add(inner, 1));
});

/**
 * (1/β)·log(1 + exp(β·x)), and x itself where β·x > threshold (torch). The log term is written
 * as max(z, 0) + log1p(exp(−|z|)), which never overflows; its gradient is sigmoid(z) everywhere,
 * z = 0 included (maximum splits a tie evenly and abs'(0) = 0, giving 1/2).
 */
export const softplus = op((x: Tensor, beta = 1, threshold = 20): Tensor => {
  const xf = toFloat(assertTensor('softplus', x));
  assertNumber('softplus', 'beta', beta);
  assertNumber('softplus', 'threshold', threshold);
  if (beta === 0) throw new ValueError('softplus: beta must be non-zero, got 0');
  const z = mul(xf, beta);
  const soft = add(maximum(z, 0), log1p(exp(neg(abs(z)))));
  return where(gt(z, threshold), xf, beta === 1 ? soft : div(soft, beta));
});

/**
 * The pseudo-kernel reported for `softmax`: its forward is max, sub, exp, sum and div, its
 * gradient one expression of the output, y·(dy − Σ dy·y), instead of the five ops' gradients —
 * the max's among them, which is zero (softmax ignores a shift) but costs an eq, a where and a
 * division over the whole input, every attention layer, every step.
 */
export const SoftmaxComposite = 'Softmax';

/** The normalised axis; a 0-d tensor counts as rank 1 here, as in torch. */
function softmaxAxis(name: string, x: Tensor, axis: number): number {
  return normalizeAxis(name, axis, Math.max(x.rank, 1));
}

/**
 * exp(x) / Σ exp(x) along `axis`, computed as exp(x − max) so that large logits do not overflow.
 * A row whose max is ±inf gives NaN, as in torch.
 */
export const softmax = op((x: Tensor, axis = -1): Tensor => {
  const xf = toFloat(assertTensor('softmax', x));
  const a = softmaxAxis('softmax', xf, axis);
  // A 0-d tensor is a row of one (torch accepts dim 0 or -1 for it); an empty axis has no max.
  if (xf.rank === 0 || xf.shape[a] === 0) return exp(sub(xf, xf));
  return ENGINE.runComposite(SoftmaxComposite, [xf], { axis: a }, () => {
    const e = exp(sub(xf, max(xf, a, true)));
    return [div(e, sum(e, a, true))];
  })[0];
});

/** x − log Σ exp(x) along `axis`, via the stable logsumexp (no overflow for large logits). */
export const logSoftmax = op((x: Tensor, axis = -1): Tensor => {
  const xf = toFloat(assertTensor('logSoftmax', x));
  const a = softmaxAxis('logSoftmax', xf, axis);
  if (xf.rank === 0 || xf.shape[a] === 0) return sub(xf, xf);
  return sub(xf, logsumexp(xf, a, true));
});
