import { assertDTypeName, type DType, isFloat } from '../dtype';
import { DTypeError, ValueError } from '../errors';
import { Binary, type BinaryOp, Cast, Unary, type UnaryOp, Where } from '../kernels';
import { broadcastShapes } from '../shape';
import { Tensor } from '../tensor';
import { scalar } from './creation';
import { assertTensor, op, resultDType, run, type TensorLike } from './util';

/** Converts `x` to `dtype` (a Cast kernel; returns `x` itself when it already has that dtype). */
export const cast = op((x: Tensor, dtype: DType): Tensor => {
  assertTensor('cast', x);
  assertDTypeName('cast', dtype);
  return x.dtype === dtype ? x : run(Cast, [x], { dtype });
});

// ---- unary ----

/** A unary op. `floatOnly` ops (exp, log, ...) promote integer inputs to float32, as torch does. */
function unary(name: string, code: UnaryOp, floatOnly: boolean) {
  return op((x: Tensor): Tensor => {
    assertTensor(name, x);
    if (x.dtype === 'bool' && code !== 'not') x = cast(x, floatOnly ? 'float32' : 'int32');
    if (floatOnly && !isFloat(x.dtype)) x = cast(x, 'float32');
    return run(Unary, [x], { op: code });
  });
}

export const neg = unary('neg', 'neg', false);
export const abs = unary('abs', 'abs', false);
export const sign = unary('sign', 'sign', false);
export const square = unary('square', 'square', false);
export const exp = unary('exp', 'exp', true);
export const expm1 = unary('expm1', 'expm1', true);
export const log = unary('log', 'log', true);
export const log1p = unary('log1p', 'log1p', true);
export const sqrt = unary('sqrt', 'sqrt', true);
export const rsqrt = unary('rsqrt', 'rsqrt', true);
export const reciprocal = unary('reciprocal', 'reciprocal', true);
export const sin = unary('sin', 'sin', true);
export const cos = unary('cos', 'cos', true);
export const erf = unary('erf', 'erf', true);
export const floor = unary('floor', 'floor', false);
export const ceil = unary('ceil', 'ceil', false);
export const round = unary('round', 'round', false);

export const logicalNot = op(
  (x: Tensor): Tensor => run(Unary, [cast(assertTensor('logicalNot', x), 'bool')], { op: 'not' }),
);

// ---- binary ----

/** Brings two operands to tensors of one dtype (promoting as torch does) and checks they broadcast. */
export function operands(name: string, a: TensorLike, b: TensorLike, floatResult = false): [Tensor, Tensor] {
  for (const [v, n] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    if (typeof v !== 'number') assertTensor(name, v, n);
  }
  let dtype = resultDType(name, a, b);
  if (floatResult && !isFloat(dtype)) dtype = 'float32';
  const ta = a instanceof Tensor ? cast(a, dtype) : scalar(a, dtype);
  const tb = b instanceof Tensor ? cast(b, dtype) : scalar(b, dtype);
  broadcastShapes(name, ta.shape, tb.shape);
  return [ta, tb];
}

function binary(name: string, code: BinaryOp, floatResult = false) {
  return op(
    (a: TensorLike, b: TensorLike): Tensor => run(Binary, operands(name, a, b, floatResult), { op: code }),
  );
}

export const add = binary('add', 'add');
export const sub = binary('sub', 'sub');
export const mul = binary('mul', 'mul');
/** True division: integer inputs give float32, as in torch. */
export const div = binary('div', 'div', true);
export const pow = binary('pow', 'pow');
export const maximum = binary('maximum', 'maximum');
export const minimum = binary('minimum', 'minimum');

export const eq = binary('eq', 'eq');
export const ne = binary('ne', 'ne');
export const lt = binary('lt', 'lt');
export const le = binary('le', 'le');
export const gt = binary('gt', 'gt');
export const ge = binary('ge', 'ge');

export const logicalAnd = op(
  (a: Tensor, b: Tensor): Tensor =>
    run(Binary, operands('logicalAnd', cast(assertTensor('logicalAnd', a, 'a'), 'bool'), cast(b, 'bool')), {
      op: 'and',
    }),
);
export const logicalOr = op(
  (a: Tensor, b: Tensor): Tensor =>
    run(Binary, operands('logicalOr', cast(assertTensor('logicalOr', a, 'a'), 'bool'), cast(b, 'bool')), {
      op: 'or',
    }),
);

/** `cond ? a : b` elementwise, all three broadcast together. `cond` must be bool. */
export const where = op((cond: Tensor, a: TensorLike, b: TensorLike): Tensor => {
  assertTensor('where', cond, 'cond');
  if (cond.dtype !== 'bool') throw new DTypeError(`where: expected 'cond' to be bool, got ${cond.dtype}`);
  const [ta, tb] = operands('where', a, b);
  broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  return run(Where, [cond, ta, tb]);
});

/**
 * `cond ≠ 0 ? a : b` elementwise for a `cond` of any dtype (NaN counts as nonzero): the Where
 * kernel without the bool mask that `where` asks users for. Gradient formulas use it to select by
 * a tensor they already hold instead of making a mask in a pass of its own: relu's by its output,
 * which is nonzero exactly where the input was positive or NaN (torch's threshold_backward).
 */
export const whereNonzero = op((cond: Tensor, a: TensorLike, b: TensorLike): Tensor => {
  assertTensor('whereNonzero', cond, 'cond');
  const [ta, tb] = operands('whereNonzero', a, b);
  broadcastShapes('whereNonzero', broadcastShapes('whereNonzero', cond.shape, ta.shape), tb.shape);
  return run(Where, [cond, ta, tb]);
});

/**
 * Limits values to [min, max] (either bound optional). Written with `where` so the gradient
 * passes wherever min <= x <= max, bounds included, as torch.clamp's does.
 */
export const clamp = op((x: Tensor, min?: number | null, max?: number | null): Tensor => {
  assertTensor('clamp', x);
  const lo = min ?? undefined;
  const hi = max ?? undefined;
  if (lo === undefined && hi === undefined)
    throw new ValueError('clamp: at least one of min and max is required');
  if (lo !== undefined && hi !== undefined && lo > hi)
    throw new ValueError(`clamp: min ${lo} is greater than max ${hi}`);
  let y = x;
  if (lo !== undefined) y = where(lt(y, lo), lo, y);
  if (hi !== undefined) y = where(gt(y, hi), hi, y);
  return y;
});
