/**
 * Deterministic inputs and result comparisons shared by the benchmarks (bench/) and the browser
 * harness (packages/conformance/browser/), which runs them in a page: this file imports nothing,
 * so a browser bundle can take it without the Node-only helpers beside it.
 */

/** Deterministic values in [-1, 1) (an LCG), so every contender gets exactly the same inputs. */
export function fixedValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The median of some timings. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** max |x − ref| / max |ref|: 0 for identical results, about 1e-7 for float32 rounding noise. */
export function relativeDiff(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (x.length !== ref.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
