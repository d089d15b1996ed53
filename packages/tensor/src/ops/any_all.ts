/**
 * torch.any / torch.all as a count of true entries (x != 0, so NaN counts as true, as in torch)
 * compared with 0 or with the number of entries reduced. A sum is used rather than max/min so
 * that reducing an empty dim gives torch's answers (any: false, all: true) instead of an error.
 */
import { normalizeAxes } from '../shape';
import type { Tensor } from '../tensor';
import { eq, gt, ne } from './elementwise';
import { type Axes, sum } from './reduce';
import { assertTensor, op } from './util';

function countTrue(name: string, x: Tensor, axes: Axes, keepDims: boolean): [Tensor, number] {
  assertTensor(name, x);
  const list = normalizeAxes(name, axes, x.rank);
  const n = list.reduce((k, a) => k * x.shape[a], 1);
  const truth = x.dtype === 'bool' ? x : ne(x, 0);
  return [sum(truth, list, keepDims), n];
}

/** Whether any entry over `axes` (all by default) is true / non-zero; a bool tensor. */
export const any = op((x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  const [count] = countTrue('any', x, axes, keepDims);
  return gt(count, 0);
});

/** Whether every entry over `axes` (all by default) is true / non-zero; a bool tensor. */
export const all = op((x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  const [count, n] = countTrue('all', x, axes, keepDims);
  return eq(count, n);
});
