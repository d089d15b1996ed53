import type { TypedArray } from '../../dtype';

/**
 * General matrix multiply on row-major typed arrays, the CPU backend's workhorse (matmul and
 * conv2d both land here):
 *
 *   C[m×n] = op(A)[m×k] · op(B)[k×n]      (C += ... when `accumulate`)
 *
 * A is stored [m, k] (or [k, m] when `transA`), starting at `aOff`; B is stored [k, n] (or [n, k]
 * when `transB`), starting at `bOff`; C is [m, n] starting at `cOff`.
 *
 * NOTE: a plain reference loop for now; to be replaced by a cache-blocked kernel.
 */
export function gemm(
  a: TypedArray,
  aOff: number,
  b: TypedArray,
  bOff: number,
  c: TypedArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? c[cOff + i * n + j] : 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
        const bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
        s += av * bv;
      }
      c[cOff + i * n + j] = s;
    }
  }
}
