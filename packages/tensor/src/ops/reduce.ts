import { isFloat } from '../dtype';
import { ValueError } from '../errors';
import { Reduce, type ReduceOp } from '../kernels';
import { normalizeAxes, normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { abs, add, cast, div, eq, exp, log, sqrt, square, sub, where } from './elementwise';
import { reshape } from './shape';
import { assertTensor, op, run } from './util';

/** Axes to reduce: one, several, or all (undefined / null). */
export type Axes = number | readonly number[] | null | undefined;

function reduce(name: string, code: ReduceOp, x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  assertTensor(name, x);
  const list = normalizeAxes(name, axes, x.rank);
  // A 0-d tensor reduces to itself (torch accepts dim 0 or -1 for it).
  if (list.length === 0 || x.rank === 0) return x;
  if ((code === 'max' || code === 'min') && list.some((a) => x.shape[a] === 0)) {
    throw new ValueError(`${name}: cannot reduce over an empty axis of shape [${x.shape.join(', ')}]`);
  }
  return run(Reduce, [x], { op: code, axes: list, keepDims });
}

export const sum = op(
  (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('sum', 'sum', x, axes, keepDims),
);
export const prod = op(
  (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('prod', 'prod', x, axes, keepDims),
);
/** The largest value over `axes` (torch.amax). Ties share the gradient evenly, as torch's amax does. */
export const max = op(
  (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('max', 'max', x, axes, keepDims),
);
export const min = op(
  (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('min', 'min', x, axes, keepDims),
);

function argReduce(
  name: string,
  code: 'argmax' | 'argmin',
  x: Tensor,
  axis: number | undefined,
  keepDims: boolean,
) {
  assertTensor(name, x);
  if (axis === undefined || x.rank === 0) {
    if (axis !== undefined) normalizeAxis(name, axis, 0);
    return run(Reduce, [reshape(x, [-1])], { op: code, axes: [0], keepDims: false });
  }
  return run(Reduce, [x], { op: code, axes: [normalizeAxis(name, axis, x.rank)], keepDims });
}

/** Index (int32) of the largest value along `axis`, or in the flattened tensor; ties give the first. */
export const argmax = op(
  (x: Tensor, axis?: number, keepDims = false): Tensor => argReduce('argmax', 'argmax', x, axis, keepDims),
);
export const argmin = op(
  (x: Tensor, axis?: number, keepDims = false): Tensor => argReduce('argmin', 'argmin', x, axis, keepDims),
);

function countOf(name: string, x: Tensor, axes: Axes): number {
  return normalizeAxes(name, axes, x.rank).reduce((n, a) => n * x.shape[a], 1);
}

export const mean = op((x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  assertTensor('mean', x);
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  return div(sum(xf, axes, keepDims), countOf('mean', x, axes));
});

export interface VarianceOptions {
  /** Subtracted from the count in the divisor: 1 (default) is the unbiased estimate, 0 the population one. */
  correction?: number;
  keepDims?: boolean;
}

export const variance = op((x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor => {
  assertTensor('var', x);
  const { correction = 1, keepDims = false } = options;
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  const centered = sub(xf, mean(xf, axes, true));
  const n = countOf('var', x, axes);
  return div(sum(square(centered), axes, keepDims), Math.max(n - correction, 0));
});

export const std = op((x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor => {
  return sqrt(variance(x, axes, options));
});

/**
 * log(sum(exp(x))) over `axes`, computed after subtracting the max so it never overflows. An
 * infinite max (a row of -inf) is replaced by 0 so that the row gives -inf rather than NaN.
 */
export const logsumexp = op((x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  assertTensor('logsumexp', x);
  const list = normalizeAxes('logsumexp', axes, x.rank);
  const rawMax = max(x, list, true);
  const m = where(eq(abs(rawMax), Number.POSITIVE_INFINITY), 0, rawMax);
  const r = add(log(sum(exp(sub(x, m)), list, true)), m);
  return keepDims
    ? r
    : reshape(
        r,
        r.shape.filter((_, i) => !list.includes(i)),
      );
});
