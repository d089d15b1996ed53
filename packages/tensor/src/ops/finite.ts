/**
 * isnan / isfinite as comparisons (NaN is the one value not equal to itself; |x| < ∞ fails for
 * both infinities and NaN), so every backend gets them from the Binary kernel. Integer and bool
 * tensors hold no NaN or infinity: their answers are constant.
 */
import { isFloat } from '../dtype';
import type { Tensor } from '../tensor';
import { full } from './creation';
import { abs, lt, ne } from './elementwise';
import { assertTensor, op } from './util';

/** True (bool) where x is NaN. */
export const isnan = op((x: Tensor): Tensor => {
  assertTensor('isnan', x);
  return isFloat(x.dtype) ? ne(x, x) : full(x.shape, 0, 'bool');
});

/** True (bool) where x is neither NaN nor ±Infinity. */
export const isfinite = op((x: Tensor): Tensor => {
  assertTensor('isfinite', x);
  return isFloat(x.dtype) ? lt(abs(x), Number.POSITIVE_INFINITY) : full(x.shape, 1, 'bool');
});
