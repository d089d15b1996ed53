import type { TypedArray } from '../../dtype';
import { forEachRow } from './broadcast';

/** Below this many elements a plain loop beats creating a `subarray` view for `set`. */
const MIN_BULK_COPY = 32;

/**
 * Copies a box of `shape` elements from `src` to `dst`, each side addressed by a base offset and
 * per-dim strides (in elements). Slice, Pad and Concat are all this one copy with different
 * strides.
 *
 * Dims of size 1 are dropped and neighbouring dims that are contiguous on both sides are merged,
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
  const dims: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 0) return;
    if (n === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && ss[k] === srcStrides[d] * n && ds[k] === dstStrides[d] * n) {
      dims[k] *= n;
      ss[k] = srcStrides[d];
      ds[k] = dstStrides[d];
    } else {
      dims.push(n);
      ss.push(srcStrides[d]);
      ds.push(dstStrides[d]);
    }
  }
  forEachRow(dims, [ss, ds], (_, [so, dO], n, [s, t]) => {
    const a = srcBase + so;
    const b = dstBase + dO;
    if (s === 1 && t === 1 && n >= MIN_BULK_COPY) {
      dst.set(src.subarray(a, a + n), b);
    } else {
      for (let i = 0; i < n; i++) dst[b + i * t] = src[a + i * s];
    }
  });
}
