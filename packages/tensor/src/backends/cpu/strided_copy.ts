import type { TypedArray } from '../../dtype';
import { forEachRow } from './broadcast';

/** Below this many elements a plain loop beats creating a `subarray` view for `set`. */
const MIN_BULK_COPY = 32;

/**
 * Copies a box of `shape` elements from `src` to `dst`, each side addressed by a base offset and
 * per-dim strides (in elements). Slice, Pad and Concat are all this one copy with different
 * strides.
 *
 * forEachRow drops dims of size 1 and merges neighbouring dims that are contiguous on both sides,
 * so that the innermost run is as long as possible and can be moved with one `TypedArray.set`.
 */
export function copyStrided(
  src: TypedArray,
  srcBase: number,
  srcStrides: readonly number[],
  dst: TypedArray,
  dstBase: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): void {
  forEachRow(shape, [srcStrides, dstStrides], (_, [so, dO], n, [s, t]) => {
    const a = srcBase + so;
    const b = dstBase + dO;
    if (s === 1 && t === 1 && n >= MIN_BULK_COPY) {
      dst.set(src.subarray(a, a + n), b);
    } else {
      for (let i = 0; i < n; i++) dst[b + i * t] = src[a + i * s];
    }
  });
}
