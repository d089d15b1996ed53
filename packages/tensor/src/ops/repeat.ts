/**
 * torch's Tensor.repeat: tile with the one difference that `repeats` may not be shorter than the
 * rank (extra entries add leading dims). It reuses `tile`, a broadcast over interleaved size-1
 * dims, so the gradient is a sum and no kernel is involved.
 */
import { fmtShape, ShapeError, ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { tile } from './movement';
import { assertTensor, describe, op } from './util';

/** Repeats x `repeats[i]` times along dim i (x first gets leading size-1 dims to match). */
export const repeat = op((x: Tensor, repeats: readonly number[]): Tensor => {
  assertTensor('repeat', x);
  if (!Array.isArray(repeats)) {
    throw new ValueError(`repeat: expected repeats to be an array of integers, got ${describe(repeats)}`);
  }
  repeats.forEach((r, i) => {
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0) {
      throw new ValueError(`repeat: expected repeats[${i}] to be a non-negative integer, got ${describe(r)}`);
    }
  });
  if (repeats.length < x.rank) {
    throw new ShapeError(
      `repeat: expected at least ${x.rank} repeats (the rank of x ${fmtShape(x.shape)}), got ${repeats.length} [${repeats.join(', ')}]`,
    );
  }
  return tile(x, repeats);
});
