import {
  add,
  cast,
  cos,
  div,
  eq,
  exp,
  isFloat,
  kernels,
  log,
  lt,
  mul,
  neg,
  pow,
  sign,
  sin,
  square,
  sub,
  type Tensor,
  where,
  whereNonzero,
  zerosLike,
} from '@axon/tensor';
import { registerGradient } from '../registry';
import { unbroadcast } from './unbroadcast';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

registerGradient<kernels.UnaryAttrs>(kernels.Unary, ([dy], { inputs: [x], outputs: [y], attrs }) => {
  switch (attrs.op) {
    case 'neg':
      return [neg(dy)];
    case 'abs':
      return [mul(dy, sign(x))];
    case 'exp':
      return [mul(dy, y)];
    case 'expm1':
      return [mul(dy, add(y, 1))];
    case 'log':
      return [div(dy, x)];
    case 'log1p':
      return [div(dy, add(x, 1))];
    case 'sqrt':
      return [div(mul(dy, 0.5), y)];
    case 'rsqrt':
      return [mul(dy, div(mul(y, -0.5), x))];
    case 'square':
      return [mul(dy, mul(x, 2))];
    case 'reciprocal':
      return [neg(mul(dy, square(y)))];
    case 'sin':
      return [mul(dy, cos(x))];
    case 'cos':
      return [neg(mul(dy, sin(x)))];
    case 'tanh':
      return [mul(dy, sub(1, square(y)))];
    case 'sigmoid':
      return [mul(dy, mul(y, sub(1, y)))];
    case 'relu':
      // Selected by the output: relu'(0) = 0 and a NaN input passes dy, as torch's threshold_backward.
      return [whereNonzero(y, dy, 0)];
    case 'erf':
      return [mul(dy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI))];
    case 'sign':
    case 'step':
    case 'floor':
    case 'ceil':
    case 'round':
      return [zerosLike(x)];
    case 'not':
      return [null];
  }
});

/**
 * Each side's gradient is a thunk, run only for a side that needs one: a constant operand (a
 * scale, the 1 in 1 + erf, an additive mask) would otherwise cost a full-size product and its
 * reduction back to the constant's shape, every step, for a gradient nobody reads.
 */
registerGradient<kernels.BinaryAttrs>(
  kernels.Binary,
  ([dy], { inputs: [a, b], outputs: [y], attrs, needsGrad }) => {
    const both = (da: () => Tensor, db: () => Tensor) => [
      needsGrad?.[0] === false ? null : unbroadcast(da(), a.shape),
      needsGrad?.[1] === false ? null : unbroadcast(db(), b.shape),
    ];
    switch (attrs.op) {
      case 'add':
        return both(
          () => dy,
          () => dy,
        );
      // A negated side is negated after its reduction to the operand's shape (the same bits: the
      // sum of the negations is the negation of the sum), so that a broadcast operand (a layer
      // norm's mean) costs a negation of its own size, not the result's.
      case 'sub':
        return both(
          () => dy,
          () => neg(unbroadcast(dy, b.shape)),
        );
      case 'mul':
        return both(
          () => mul(dy, b),
          () => mul(dy, a),
        );
      case 'div':
        return both(
          () => div(dy, b),
          () => neg(unbroadcast(div(mul(dy, y), b), b.shape)),
        );
      case 'pow':
        // As torch: d/da = b * a^(b-1), zero where b == 0; d/db = y * log(a), zero where a == 0.
        return both(
          () => mul(dy, where(eq(b, 0), 0, mul(b, pow(a, sub(b, 1))))),
          () => mul(dy, where(eq(a, 0), 0, mul(y, log(a)))),
        );
      case 'maximum':
      case 'minimum': {
        // Ties split the gradient evenly, as in torch.
        const aWins = attrs.op === 'maximum' ? lt(b, a) : lt(a, b);
        const tie = eq(a, b);
        const half = mul(dy, 0.5);
        return both(
          () => where(tie, half, where(aWins, dy, 0)),
          () => where(tie, half, where(aWins, 0, dy)),
        );
      }
      default:
        // comparisons and logical ops are piecewise constant
        return [null, null];
    }
  },
);

// whereNonzero: `cond` may be a float tensor (see the relu case), not only a bool mask. A
// constant branch (a masked fill's value) gets no gradient computed.
registerGradient(kernels.Where, ([dy], { inputs: [cond, a, b], needsGrad }) => [
  null,
  needsGrad?.[1] === false ? null : unbroadcast(whereNonzero(cond, dy, 0), a.shape),
  needsGrad?.[2] === false ? null : unbroadcast(whereNonzero(cond, 0, dy), b.shape),
]);

registerGradient(kernels.Cast, ([dy], { inputs: [x] }) => [isFloat(x.dtype) ? cast(dy, x.dtype) : null]);
