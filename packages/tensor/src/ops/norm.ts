/**
 * torch.linalg.vector_norm, composed from abs / pow / sum / max so it runs on every backend and
 * autograd differentiates it. The final root is taken through a `where` that sends a zero sum to
 * a constant 0, so the gradient at an all-zero vector is 0 (torch's choice) instead of NaN.
 */
import { isFloat } from '../dtype';
import { ValueError } from '../errors';
import { normalizeAxes } from '../shape';
import type { Tensor } from '../tensor';
import { abs, cast, eq, pow, sqrt, square, where } from './elementwise';
import { type Axes, max, sum } from './reduce';
import { assertTensor, describe, op } from './util';

/** s^(1/p) with a zero gradient where s = 0. */
function root(s: Tensor, p: number): Tensor {
  const zero = eq(s, 0);
  const safe = where(zero, 1, s);
  return where(zero, 0, p === 2 ? sqrt(safe) : pow(safe, 1 / p));
}

/**
 * The p-norm (Σ |x|^p)^(1/p) over `axes` (all by default): p = 1, 2, Infinity (max |x|) or any
 * other p > 0. Integer inputs are computed in float32.
 */
export const norm = op((x: Tensor, p = 2, axes?: Axes, keepDims = false): Tensor => {
  assertTensor('norm', x);
  if (typeof p !== 'number' || !(p > 0)) {
    throw new ValueError(
      `norm: expected p to be a number > 0 (or Infinity), got ${typeof p === 'number' ? p : describe(p)}`,
    );
  }
  normalizeAxes('norm', axes, x.rank);
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  if (p === Number.POSITIVE_INFINITY) return max(abs(xf), axes, keepDims);
  if (p === 1) return sum(abs(xf), axes, keepDims);
  if (p === 2) return root(sum(square(xf), axes, keepDims), 2);
  return root(sum(pow(abs(xf), p), axes, keepDims), p);
});
