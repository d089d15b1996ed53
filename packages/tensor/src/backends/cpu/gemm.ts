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
 * How it is fast (the classic Goto/BLIS layering, written for a JIT rather than for SIMD):
 * - op(B) is copied, KC rows × NC columns at a time, into a scratch of NR-wide column panels, and
 *   op(A), MC rows × KC at a time, into MR-tall row panels. The hot loop then reads one kind of
 *   array only, whatever C's dtype (V8 keeps it monomorphic), walks memory strictly forward, and
 *   the transposes cost nothing beyond the copy.
 * - The scratches are plain arrays of doubles, not Float64Arrays: once any ArrayBuffer in the
 *   process has been detached (a transfer to a worker, WebAssembly memory growth, loading some
 *   libraries), V8 guards every typed-array access against detachment, which costs this loop
 *   about 15%; a packed double array is at least as fast as a typed array, and immune.
 * - The micro-kernel keeps an MR × NR tile of C in 16 local variables (registers, or at worst the
 *   stack) for a whole KC run: 8 loads feed 16 multiply-adds, and C is touched once per tile.
 * - KC × NR of packed B (8 KiB) stays in L1 while the packed A block (MC × KC, 256 KiB) streams
 *   from L2; NC bounds the B scratch.
 * Arithmetic is float64 throughout; results are rounded to C's type when stored, once per
 * KC-long slice of k (so float32 gets a more accurate sum than float32 accumulation would give,
 * and int32 is exact below 2^53, wrapping like a C int32 beyond).
 *
 * Not re-entrant across threads, but JS is single-threaded per realm and nothing in here calls out.
 */

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128; // a multiple of MR
const NC = 1024; // a multiple of NR

/**
 * A zeroed array of `size` doubles with V8's PACKED_DOUBLE_ELEMENTS layout (unboxed, no holes):
 * pushing a fractional number first fixes the element kind, which storing integers later keeps.
 */
function doubles(size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(0.5);
  return out.fill(0);
}

/** Packed panels, grown on demand and reused across calls (only growth allocates). */
let packedA = doubles(0);
let packedB = doubles(0);
/** An MR × NR tile for the edges of C, where only part of a micro-tile is real. */
const edgeTile = doubles(MR * NR);
/** One accumulator per output element for the matrix-vector paths. */
let vecAcc = doubles(0);

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

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
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOff, cOff + m * n);
    return;
  }
  // Matrix-vector shapes would waste MR-1 (or NR-1) of every micro-tile's work on padding and
  // are memory-bound anyway: stream through the matrix once instead.
  if (n === 1) {
    // c[i] = Σ_p op(A)[i, p] · b[p]; B's single column is contiguous whether transposed or not.
    matVec(a, aOff, !transA, b, bOff, c, cOff, m, k, accumulate);
    return;
  }
  if (m === 1) {
    // c[j] = Σ_p a[p] · op(B)[p, j], i.e. op(B)ᵀ · a: B stored [n, k] (transB) has rows j.
    matVec(b, bOff, transB, a, aOff, c, cOff, n, k, accumulate);
    return;
  }

  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const needA = roundUp(Math.min(m, MC), MR) * Math.min(k, KC);
  const needB = roundUp(Math.min(n, NC), NR) * Math.min(k, KC);
  if (packedA.length < needA) packedA = doubles(needA);
  if (packedB.length < needB) packedB = doubles(needB);
  const pa = packedA;
  const pb = packedB;

  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packB(b, bOff, ldb, transB, p0, kc, j0, nc, pb);
      // The first k-block overwrites C (unless accumulating); later ones add to it.
      const add = accumulate || p0 > 0;
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packA(a, aOff, lda, transA, i0, mc, p0, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            const co = cOff + (i0 + ir) * n + j0 + jr;
            if (mr === MR && nr === NR) {
              microKernel(kc, pa, ir * kc, pb, jr * kc, c, co, n, add);
            } else {
              microKernel(kc, pa, ir * kc, pb, jr * kc, edgeTile, 0, NR, false);
              storeEdge(c, co, n, mr, nr, add);
            }
          }
        }
      }
    }
  }
}

/**
 * Copies rows i0..i0+mc, columns p0..p0+kc of op(A) into MR-row panels, each laid out
 * column by column (pa[panel + p * MR + r]); rows past the end of A are zero.
 */
function packA(
  a: TypedArray,
  aOff: number,
  lda: number,
  transA: boolean,
  i0: number,
  mc: number,
  p0: number,
  kc: number,
  pa: number[],
): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = Math.min(MR, mc - ir);
    const panel = ir * kc;
    for (let r = 0; r < MR; r++) {
      let o = panel + r;
      if (r >= mr) {
        for (let p = 0; p < kc; p++, o += MR) pa[o] = 0;
      } else if (transA) {
        // A stored [k, m]: op(A)[i, p] = a[p * lda + i]
        let src = aOff + p0 * lda + i0 + ir + r;
        for (let p = 0; p < kc; p++, o += MR, src += lda) pa[o] = a[src];
      } else {
        let src = aOff + (i0 + ir + r) * lda + p0;
        for (let p = 0; p < kc; p++, o += MR) pa[o] = a[src++];
      }
    }
  }
}

/**
 * Copies rows p0..p0+kc, columns j0..j0+nc of op(B) into NR-column panels, each laid out
 * row by row (pb[panel + p * NR + q]); columns past the end of B are zero.
 */
function packB(
  b: TypedArray,
  bOff: number,
  ldb: number,
  transB: boolean,
  p0: number,
  kc: number,
  j0: number,
  nc: number,
  pb: number[],
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    const panel = jr * kc;
    for (let q = 0; q < NR; q++) {
      let o = panel + q;
      if (q >= nr) {
        for (let p = 0; p < kc; p++, o += NR) pb[o] = 0;
      } else if (transB) {
        // B stored [n, k]: op(B)[p, j] = b[j * ldb + p]
        let src = bOff + (j0 + jr + q) * ldb + p0;
        for (let p = 0; p < kc; p++, o += NR) pb[o] = b[src++];
      } else {
        let src = bOff + p0 * ldb + j0 + jr + q;
        for (let p = 0; p < kc; p++, o += NR, src += ldb) pb[o] = b[src];
      }
    }
  }
}

/** C[4×4 at co] (+)= packed A panel (kc × 4) ᵀ · packed B panel (kc × 4). */
function microKernel(
  kc: number,
  pa: number[],
  ao: number,
  pb: number[],
  bo: number,
  c: TypedArray | number[],
  co: number,
  ldc: number,
  add: boolean,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  for (let p = 0; p < kc; p++, ao += MR, bo += NR) {
    const a0 = pa[ao];
    const a1 = pa[ao + 1];
    const a2 = pa[ao + 2];
    const a3 = pa[ao + 3];
    const b0 = pb[bo];
    const b1 = pb[bo + 1];
    const b2 = pb[bo + 2];
    const b3 = pb[bo + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (add) {
    c[co] += c00;
    c[co + 1] += c01;
    c[co + 2] += c02;
    c[co + 3] += c03;
    co += ldc;
    c[co] += c10;
    c[co + 1] += c11;
    c[co + 2] += c12;
    c[co + 3] += c13;
    co += ldc;
    c[co] += c20;
    c[co + 1] += c21;
    c[co + 2] += c22;
    c[co + 3] += c23;
    co += ldc;
    c[co] += c30;
    c[co + 1] += c31;
    c[co + 2] += c32;
    c[co + 3] += c33;
  } else {
    c[co] = c00;
    c[co + 1] = c01;
    c[co + 2] = c02;
    c[co + 3] = c03;
    co += ldc;
    c[co] = c10;
    c[co + 1] = c11;
    c[co + 2] = c12;
    c[co + 3] = c13;
    co += ldc;
    c[co] = c20;
    c[co + 1] = c21;
    c[co + 2] = c22;
    c[co + 3] = c23;
    co += ldc;
    c[co] = c30;
    c[co + 1] = c31;
    c[co + 2] = c32;
    c[co + 3] = c33;
  }
}

/** Writes the real mr × nr corner of `edgeTile` into C. */
function storeEdge(c: TypedArray, co: number, ldc: number, mr: number, nr: number, add: boolean): void {
  for (let r = 0; r < mr; r++, co += ldc) {
    for (let q = 0; q < nr; q++) {
      c[co + q] = add ? c[co + q] + edgeTile[r * NR + q] : edgeTile[r * NR + q];
    }
  }
}

/**
 * y[i] (+)= Σ_p M[i, p] · x[p] for i < rows, p < k, where M is stored [rows, k] when `rowMajor`
 * and [k, rows] otherwise; x and y are contiguous.
 */
function matVec(
  mat: TypedArray,
  mOff: number,
  rowMajor: boolean,
  x: TypedArray,
  xOff: number,
  y: TypedArray,
  yOff: number,
  rows: number,
  k: number,
  accumulate: boolean,
): void {
  if (rowMajor) {
    // One dot product per row, all reads contiguous.
    for (let i = 0; i < rows; i++) {
      let s = 0;
      let o = mOff + i * k;
      for (let p = 0; p < k; p++) s += mat[o++] * x[xOff + p];
      y[yOff + i] = accumulate ? y[yOff + i] + s : s;
    }
    return;
  }
  // Columns of M are strided: sweep its rows in order, adding x[p] · M[p, :] into float64
  // accumulators, so M is read once, front to back.
  if (vecAcc.length < rows) vecAcc = doubles(rows);
  const acc = vecAcc;
  acc.fill(0, 0, rows);
  for (let p = 0; p < k; p++) {
    const xp = x[xOff + p];
    let o = mOff + p * rows;
    for (let i = 0; i < rows; i++) acc[i] += mat[o++] * xp;
  }
  for (let i = 0; i < rows; i++) y[yOff + i] = accumulate ? y[yOff + i] + acc[i] : acc[i];
}
