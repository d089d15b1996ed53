/**
 * float32 GEMM for the CPU backend, in AssemblyScript, compiled to WebAssembly with 128-bit SIMD
 * (`asc --enable simd -O3`, see ../scripts/build-wasm.mjs). This file is not TypeScript for tsc:
 * `f32`, `usize`, `v128` and friends are AssemblyScript's built-in types.
 *
 *   C[m×n] = op(A)[m×k] · op(B)[k×n]      (C += ... when `accumulate`)
 *
 * Why AssemblyScript: it is a plain npm package (no apt, no toolchain download), so a fresh machine
 * with Node and npm builds the .wasm; plain JavaScript cannot use SIMD, this can.
 *
 * Memory layout. The module owns no data and allocates nothing: the JavaScript side
 * (src/backends/cpu/kernels/gemm_wasm.ts) imports a `WebAssembly.Memory` into it, copies the
 * inputs in and the output out, and passes byte addresses:
 *
 *   [scratch: packed A block | packed B block | one MR×NR edge tile] [A] [B] [C]
 *
 * `scratchBytes(m, n, k)` says how large the scratch must be. A is stored [m, k] (or [k, m] when
 * `transA`), B [k, n] (or [n, k] when `transB`), C [m, n], all row-major, rows `lda`, `ldb`, `ldc`
 * elements apart (dense: k or m, n or k, and n). Nothing here
 * grows the memory (growth would detach every JS view of the old buffer); the caller makes a
 * memory that is big enough.
 *
 * How it is fast (the Goto/BLIS layering of the JS gemm in ../src/backends/cpu/gemm.ts):
 * - op(B), KC rows × NC columns at a time, is packed into NR-wide column panels
 *   (pb[panel + p·NR + q]); op(A), MC rows × KC at a time, into MR-tall row panels
 *   (pa[panel + p·MR + r]), zero-padded at the edges. Transposes cost only the copy; the
 *   contiguous cases copy whole vectors, the strided ones go through 4×4 SIMD transposes.
 * - The micro-kernel keeps an MR×NR = 4×8 tile of C in 8 f32x4 accumulators for a whole KC run:
 *   per step of k, two vector loads of B, four load-splats of A, 8 multiplies and 8 adds. 4×8 is
 *   the widest tile whose accumulators, operands and a temporary fit the 15 vector registers V8
 *   allocates on x64 (6×8 spills).
 * - KC × NR of packed B (8 KiB) stays in L1 while the packed A block (MC × KC, 128 KiB) streams
 *   from L2.
 * Arithmetic is float32 (WebAssembly SIMD has no fused multiply-add outside relaxed SIMD), so the
 * sums round a little differently from the JS gemm's float64 ones: agreement is to float32
 * rounding, not bit for bit.
 */

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128; // a multiple of MR
const NC: i32 = 2048; // a multiple of NR

function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

/** Bytes of scratch (packed panels and the edge tile) that `gemm` needs for these sizes. */
export function scratchBytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(k, KC);
  return (roundUp(min(m, MC), MR) * kc + roundUp(min(n, NC), NR) * kc + MR * NR) << 2;
}

/**
 * C (+)= op(A) · op(B); addresses in bytes, sizes and leading dimensions (the distance between
 * rows, as stored) in elements, see the file head. With leading dimensions a caller can work on a
 * block of larger matrices: the thread pool gives each thread its own columns (or rows) of C.
 */
export function gemm(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
  lda: i32,
  ldb: i32,
  ldcElements: i32,
  transA: bool,
  transB: bool,
  scratch: usize,
  accumulate: bool,
): void {
  if (m <= 0 || n <= 0) return;
  const ldc = <usize>ldcElements << 2;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldc, 0, <usize>n << 2);
    return;
  }
  const kcMax = min(k, KC);
  const pa = scratch;
  const pb = pa + ((<usize>roundUp(min(m, MC), MR) * <usize>kcMax) << 2);
  const edge = pb + ((<usize>roundUp(min(n, NC), NR) * <usize>kcMax) << 2);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB(b, ldb, transB, p0, kc, j0, nc, pb);
      // The first k-block overwrites C (unless accumulating); later ones add to it.
      const add = accumulate || p0 > 0;
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(a, lda, transA, i0, mc, p0, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = pa + (<usize>(ir * kc) << 2);
            const co = c + <usize>(i0 + ir) * ldc + (<usize>(j0 + jr) << 2);
            if (mr == MR && nr == NR) {
              kernel(kc, ap, bp, co, ldc, add);
            } else {
              kernel(kc, ap, bp, edge, NR << 2, false);
              storeEdge(edge, co, ldc, mr, nr, add);
            }
          }
        }
      }
    }
  }
}

/**
 * Reads the 4×4 block of floats at `src` (rows `ld` bytes apart) and writes its transpose at
 * `dst` (rows `dstStride` bytes apart).
 */
// @ts-ignore: decorator
@inline
function transpose4(src: usize, ld: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + ld);
  const r2 = v128.load(src + 2 * ld);
  const r3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Copies rows i0..i0+mc, columns p0..p0+kc of op(A) into MR-row panels, each laid out column by
 * column (pa[panel + p·MR + r]); rows past the end of A are zero.
 */
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, pa: usize): void {
  const ld = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const panel = pa + (<usize>(ir * kc) << 2);
    if (transA) {
      // A stored [k, m]: op(A)[i, p] = a[p·lda + i]; a panel column is MR contiguous floats.
      let src = a + ((<usize>p0 * <usize>lda + <usize>(i0 + ir)) << 2);
      let dst = panel;
      if (mr == MR) {
        for (let p = 0; p < kc; p++, src += ld, dst += MR << 2) v128.store(dst, v128.load(src));
      } else {
        for (let p = 0; p < kc; p++, src += ld, dst += MR << 2) {
          for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < mr ? load<f32>(src + (<usize>r << 2)) : 0);
        }
      }
    } else {
      // A stored [m, k]: op(A)[i, p] = a[i·lda + p]; rows are contiguous, so 4×4 transposes.
      const src = a + ((<usize>(i0 + ir) * <usize>lda + <usize>p0) << 2);
      if (mr == MR) {
        let p = 0;
        for (; p + 4 <= kc; p += 4) transpose4(src + (<usize>p << 2), ld, panel + (<usize>(p * MR) << 2), MR << 2);
        for (; p < kc; p++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(panel + (<usize>(p * MR + r) << 2), load<f32>(src + <usize>r * ld + (<usize>p << 2)));
          }
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(
              panel + (<usize>(p * MR + r) << 2),
              r < mr ? load<f32>(src + <usize>r * ld + (<usize>p << 2)) : 0,
            );
          }
        }
      }
    }
  }
}

/**
 * Copies rows p0..p0+kc, columns j0..j0+nc of op(B) into NR-column panels, each laid out row by
 * row (pb[panel + p·NR + q]); columns past the end of B are zero.
 */
function packB(b: usize, ldb: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, pb: usize): void {
  const ld = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const panel = pb + (<usize>(jr * kc) << 2);
    if (transB) {
      // B stored [n, k]: op(B)[p, j] = b[j·ldb + p]; columns are contiguous, so 4×4 transposes.
      const src = b + ((<usize>(j0 + jr) * <usize>ldb + <usize>p0) << 2);
      if (nr == NR) {
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const s = src + (<usize>p << 2);
          const d = panel + (<usize>(p * NR) << 2);
          transpose4(s, ld, d, NR << 2);
          transpose4(s + 4 * ld, ld, d + 16, NR << 2);
        }
        for (; p < kc; p++) {
          for (let q = 0; q < NR; q++) {
            store<f32>(panel + (<usize>(p * NR + q) << 2), load<f32>(src + <usize>q * ld + (<usize>p << 2)));
          }
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let q = 0; q < NR; q++) {
            store<f32>(
              panel + (<usize>(p * NR + q) << 2),
              q < nr ? load<f32>(src + <usize>q * ld + (<usize>p << 2)) : 0,
            );
          }
        }
      }
    } else {
      // B stored [k, n]: op(B)[p, j] = b[p·ldb + j]; a panel row is NR contiguous floats.
      let src = b + ((<usize>p0 * <usize>ldb + <usize>(j0 + jr)) << 2);
      let dst = panel;
      if (nr == NR) {
        for (let p = 0; p < kc; p++, src += ld, dst += NR << 2) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
      } else {
        for (let p = 0; p < kc; p++, src += ld, dst += NR << 2) {
          for (let q = 0; q < NR; q++) store<f32>(dst + (<usize>q << 2), q < nr ? load<f32>(src + (<usize>q << 2)) : 0);
        }
      }
    }
  }
}

/** C[4×8 at c] (+)= packed A panel (kc × 4)ᵀ · packed B panel (kc × 8); C's rows `ldc` bytes apart. */
// @ts-ignore: decorator
@inline
function kernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    ap += MR << 2;
    bp += NR << 2;
  }
  if (add) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc));
    c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc));
    c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc));
    c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/** Writes the real mr × nr corner of the edge tile (rows NR floats apart) into C. */
function storeEdge(edge: usize, c: usize, ldc: usize, mr: i32, nr: i32, add: bool): void {
  for (let r = 0; r < mr; r++) {
    const row = c + <usize>r * ldc;
    const tile = edge + (<usize>(r * NR) << 2);
    for (let q = 0; q < nr; q++) {
      const o = row + (<usize>q << 2);
      const v = load<f32>(tile + (<usize>q << 2));
      store<f32>(o, add ? load<f32>(o) + v : v);
    }
  }
}
