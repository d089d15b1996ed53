/**
 * The packed matrix product of the GL modes, shared by matmul and conv2d: c = a · bᵀ for packed
 * a and bᵀ (both packed along k, packed.ts), one thread per 2×2 block of c. Per four steps of k a
 * thread fetches two texels of a and two of bᵀ for sixteen multiply-adds (tfjs-webgl's packed
 * product: two fetches for eight); the one-value-per-texel kernel pays eight reads for four, each
 * with its own index arithmetic.
 */
import type { DType, TensorInfo } from '@axon/tensor';
import type { GpuBackend } from './backend';
import { indexCode, kernelSource, lit } from './codegen';
import { nextRowV, type Packed, placeRow, rowTexelU, threadTexel, tile } from './packed';

/** The shape of a batched product of packed operands. */
export interface ProductGeometry {
  /** The product's batch dims, and each operand's stride along them in entries (0: broadcast). */
  batchShape: readonly number[];
  aEntryStrides: readonly number[];
  bEntryStrides: readonly number[];
  /** Rows per entry of a and of bᵀ, both even (padded with zero rows): c's entries are [m, n]. */
  m: number;
  n: number;
  /** Texels per row of both operands: ⌈k/4⌉. */
  kq: number;
}

/**
 * c = a · bᵀ as a packed texture of 2×2 blocks: texel (x, y) of entry e holds c's rows 2y, 2y+1 ×
 * columns 2x, 2x+1 as [r0c0, r0c1, r1c0, r1c1]; `unpackBlocks` reads it. Null where it would not
 * fit the device.
 */
export function packedProduct(backend: GpuBackend, a: Packed, b: Packed, g: ProductGeometry): Packed | null {
  const entries = g.batchShape.reduce((x, y) => x * y, 1);
  const tc = tile((entries * g.m) / 2, g.n / 2, backend.maxTextureSide());
  if (!tc) return null;
  const ta = a.tiling;
  const tb = b.tiling;
  // The thread's block: columns 2q, 2q+1 and rows 2i, 2i+1 of entry (…) (row = the block row).
  const index = indexCode(
    [...g.batchShape, g.m / 2],
    { a: [...g.aEntryStrides.map((s) => s * g.m), 2], b: [...g.bEntryStrides.map((s) => s * g.n), 0] },
    'row',
  );
  const dot = (x: string, y: string) =>
    `${x}[0] * ${y}[0] + ${x}[1] * ${y}[1] + ${x}[2] * ${y}[2] + ${x}[3] * ${y}[3]`;
  const body = `${threadTexel(tc)}
  ${index}
  const rb = o_b + q * 2.0;
  ${placeRow('a', 'o_a', ta)}
  ${placeRow('b', 'rb', tb)}
  const va1 = ${nextRowV('a', ta)};
  const vb1 = ${nextRowV('b', tb)};
  let s0 = 0.0;
  let s1 = 0.0;
  let s2 = 0.0;
  let s3 = 0.0;
  let k = 0.0;
  for (let i = 0; i < ${g.kq}; i++) {
    const ua = ${rowTexelU('a', 'k', ta)};
    const ub = ${rowTexelU('b', 'k', tb)};
    const a0 = fetch_a(ua, v_a);
    const a1 = fetch_a(ua, va1);
    const b0 = fetch_b(ub, v_b);
    const b1 = fetch_b(ub, vb1);
    s0 = s0 + ${dot('a0', 'b0')};
    s1 = s1 + ${dot('a0', 'b1')};
    s2 = s2 + ${dot('a1', 'b0')};
    s3 = s3 + ${dot('a1', 'b1')};
    k = k + 1.0;
  }
  return [s0, s1, s2, s3];`;
  const texture = backend.runPacked(
    { source: kernelSource(['a', 'b'], body), loopMax: g.kq, fetches: ['a', 'b'] },
    [a.texture, b.texture],
    [tc.width, tc.textureHeight],
  );
  return { texture, tiling: tc };
}

/**
 * The tensor of `shape` ([entries, rows, cols] elements in order) from the 2×2 blocks of
 * `packedProduct`, whose entries have `m` rows (rows, padded to even).
 */
export function unpackBlocks(
  backend: GpuBackend,
  c: Packed,
  rows: number,
  cols: number,
  shape: readonly number[],
  dtype: DType,
): TensorInfo {
  const entries = shape.reduce((x, y) => x * y, 1) / (rows * cols);
  const t = c.tiling;
  const body = `${indexCode([entries, rows, cols])}
  const y2 = Math.floor((c1 + 0.5) / 2.0);
  const x2 = Math.floor((c2 + 0.5) / 2.0);
  const ch = (c1 - y2 * 2.0) * 2.0 + (c2 - x2 * 2.0);
  ${placeRow('p', `c0 * ${lit(Math.ceil(rows / 2))} + y2`, t)}
  const v = fetch_p(${rowTexelU('p', 'x2', t)}, v_p);
  if (ch < 0.5) { return v[0]; }
  if (ch < 1.5) { return v[1]; }
  if (ch < 2.5) { return v[2]; }
  return v[3];`;
  return backend.run({ source: kernelSource(['p'], body), fetches: ['p'] }, [c.texture], shape, dtype);
}
