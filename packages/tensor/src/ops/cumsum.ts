/**
 * cumsum as a Hillis–Steele scan: ⌈log2 n⌉ steps of `y = y + (y shifted by s along the axis)`
 * with s = 1, 2, 4, ... The shift is one `pad` (crop s at the end, pad s zeros at the start), so
 * the op is built from Pad/Slice and Binary kernels only: it runs on every backend and its
 * gradient (a reversed cumsum) comes from autograd with no kernel of its own. Each output sums
 * its terms in a balanced tree, which also keeps float32 rounding low.
 */

import { normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { checkInteger } from '../validate';
import { add, cast } from './elementwise';
import { pad } from './movement';
import { assertTensor, op } from './util';

/** torch.cumsum: running sums along `axis`. bool is summed as int32 (torch gives int64). */
export const cumsum = op((x: Tensor, axis: number): Tensor => {
  assertTensor('cumsum', x);
  const a = normalizeAxis('cumsum', checkInteger('cumsum', 'axis', axis), x.rank);
  let y = x.dtype === 'bool' ? cast(x, 'int32') : x;
  if (x.rank === 0) return y;
  const n = x.shape[a];
  for (let s = 1; s < n; s *= 2) {
    const shifted = pad(
      y,
      y.shape.map((_, d): [number, number] => (d === a ? [s, -s] : [0, 0])),
    );
    y = add(y, shifted);
  }
  return y;
});
