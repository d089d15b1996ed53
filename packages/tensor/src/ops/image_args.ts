/** Argument checks shared by the image ops (conv, pool, upsample); not part of the public API. */
import { fmtShape, ShapeError, ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { describe } from './util';

/** A size given as one number for both spatial dims, or as [h, w]. */
export type Pair = number | readonly [number, number];

/** Reads a number-or-pair option into [h, w], checking each is an integer >= `min`. */
export function pairOf(name: string, what: string, v: unknown, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (
    !Array.isArray(p) ||
    p.length !== 2 ||
    !p.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= min)
  ) {
    throw new ValueError(
      `${name}: expected ${what} to be an integer >= ${min} or a pair of them, got ${Array.isArray(v) ? `[${v.join(', ')}]` : describe(v)}`,
    );
  }
  return [p[0], p[1]];
}

/** Checks that `x` is a rank-4 NCHW tensor. */
export function assertImage(name: string, x: Tensor, what = 'x', layout = '[N, C, H, W]'): void {
  if (x.rank !== 4) {
    throw new ShapeError(`${name}: expected ${what} of rank 4 ${layout}, got ${fmtShape(x.shape)}`);
  }
}
