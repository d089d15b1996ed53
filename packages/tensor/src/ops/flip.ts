/**
 * torch.flip. The Slice kernel only takes positive steps, so each flipped dim is a Gather with the
 * reversed positions n-1, ..., 0 (broadcast over the other dims): no new kernel, and the gradient
 * is Gather's (a scatter-add, i.e. the same flip of dy).
 */
import { fmtShape, ValueError } from '../errors';
import { Gather } from '../kernels';
import { normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { arange } from './creation';
import { expand, reshape } from './shape';
import { assertTensor, describe, op, run } from './util';

/** Reverses the order of the entries along each of `axes`. */
export const flip = op((x: Tensor, axes: number | readonly number[]): Tensor => {
  assertTensor('flip', x);
  const list = typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) {
    throw new ValueError(
      `flip: expected axes to be an integer or an array of integers, got ${describe(axes)}`,
    );
  }
  const dims = list.map((a) => {
    if (typeof a !== 'number')
      throw new ValueError(`flip: expected axes to hold integers, got ${describe(a)}`);
    return normalizeAxis('flip', a, x.rank);
  });
  if (new Set(dims).size !== dims.length) {
    throw new ValueError(
      `flip: a dim appears more than once in axes [${list.join(', ')}] (x shape ${fmtShape(x.shape)})`,
    );
  }
  let y = x;
  for (const a of dims) {
    const n = x.rank === 0 ? 1 : x.shape[a];
    if (n <= 1) continue;
    const reversed = reshape(
      arange(n - 1, -1, -1, 'int32'),
      x.shape.map((_, d) => (d === a ? n : 1)),
    );
    y = run(Gather, [y, expand(reversed, x.shape)], { axis: a });
  }
  return y === x ? reshape(x, x.shape) : y;
});
