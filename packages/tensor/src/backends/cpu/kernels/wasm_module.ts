/**
 * What both users of the embedded WebAssembly GEMM modules (the single-threaded path in
 * gemm_wasm.ts, the worker pool in gemm_threads.ts) need before they can compile one: the bytes
 * from their base64 text, and whether this engine has 128-bit SIMD at all.
 */

/** A module with one function returning a v128 constant: it validates only where SIMD exists. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

export function decodeBase64(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The module's exports (wasm/kernels.ts); addresses in bytes, sizes in elements. */
export interface WasmExports {
  gemm(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    lda: number,
    ldb: number,
    ldc: number,
    transA: number,
    transB: number,
    scratch: number,
    accumulate: number,
  ): void;
  scratchBytes(m: number, n: number, k: number): number;
  /**
   * wasm/im2col.ts: one image's column matrix (x at `x`, the geometry as ConvGeometry names it,
   * rows `ld` apart at `cols`), and its adjoint, which adds the columns back into dx.
   */
  im2col(x: number, ...geometryColsLd: number[]): void;
  col2im(cols: number, ...geometryDxLd: number[]): void;
  /** wasm/elementwise.ts (float32): see each function's comment there. */
  relu(x: number, y: number, n: number): void;
  select(c: number, a: number, b: number, bStride: number, y: number, n: number): void;
  binary(op: number, a: number, sa: number, b: number, sb: number, y: number, n: number): void;
  /** wasm/transcendental.ts: op 0 sigmoid, 1 tanh, 2 exp, 3 erf (float32 in and out, float64 inside). */
  activation(op: number, x: number, y: number, n: number): void;
  /** wasm/reduce.ts: acc = from + the column sums of x (float32, rows × cols; from, acc float64). */
  sumColumns(x: number, rows: number, cols: number, from: number, acc: number): void;
  /** wasm/reduce.ts: acc = from, then acc[idx[r]] += the sum of run r of x (`runs` runs of `len`; `accs` sums). */
  sumRuns(x: number, runs: number, len: number, idx: number, accs: number, from: number, acc: number): void;
  poolScatter(dy: number, idx: number, planes: number, outPlane: number, inPlane: number, dx: number): void;
  binaryRuns(
    op: number,
    full: number,
    small: number,
    ss: number,
    smallFirst: number,
    offsets: number,
    runs: number,
    len: number,
    y: number,
  ): void;
  maxPool2x2(
    x: number,
    planes: number,
    h: number,
    w: number,
    oH: number,
    oW: number,
    isMax: number,
    y: number,
    idx: number,
  ): void;
  /** The fused Adam step in place (wasm/adam.ts); mode bits: 1 L2 decay, 2 decoupled, 4 amsgrad. */
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    x: number,
    n: number,
    mode: number,
    decay: number,
    wd: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    sqrtBc2: number,
    eps: number,
    stepSize: number,
  ): void;
}
