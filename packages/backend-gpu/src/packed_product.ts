/**
 * The packed matrix product of the GL modes, shared by matmul and conv2d: c = a · bᵀ for packed
 * a and bᵀ (both packed along k, packed.ts), one thread per 2×2 block of c. Per four steps of k a
 * thread fetches two texels of a and two of bᵀ for sixteen multiply-adds (tfjs-webgl's packed
 * product: two fetches for eight); the one-value-per-texel kernel pays eight reads for four, each
 * with its own index arithmetic.
 */
import type { GpuBackend } from './backend';
import { indexCode, kernelSource, lit } from './codegen';
import {
  nextRowV,
  type Packed,
  placeRow,
  rowTexelU,
  type Tiling,
  texelsPerRow,
  threadTexel,
  tile,
} from './packed';

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
 * The packed product of two packs (either may be null: it did not fit), over k columns; frees
 * both packs. Null, with nothing left behind, where any step did not fit.
 */
export function productOfPacks(
  backend: GpuBackend,
  packs: [Packed | null, Packed | null],
  geometry: Omit<ProductGeometry, 'kq'>,
  k: number,
): Packed | null {
  const [pa, pb] = packs;
  const c = pa && pb && packedProduct(backend, pa, pb, { ...geometry, kq: texelsPerRow(k) });
  for (const p of packs) if (p) backend.release(p.texture);
  return c ?? null;
}

/**
 * c = a · bᵀ as a packed texture of 2×2 blocks: texel (x, y) of entry e holds c's rows 2y, 2y+1 ×
 * columns 2x, 2x+1 as [r0c0, r0c1, r1c0, r1c1]; `blockRead` reads it. Null where it would not
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

/** A packed product's 2×2 blocks as a tensor's values: `entries` matrices of [rows, cols]. */
export interface Blocks {
  tiling: Tiling;
  entries: number;
  rows: number;
  cols: number;
}

/**
 * Statements that set `target` to the element at the thread's index (in [entries, rows, cols]
 * order) of the 2×2-block texture argument `param` (read with `fetch_<param>`). Names it declares
 * start with `<param>_`.
 */
export function blockRead(param: string, target: string, b: Blocks): string {
  const p = `${param}_`;
  return [
    indexCode([b.entries, b.rows, b.cols], {}, 'this.thread.x', p),
    `const ${p}y2 = Math.floor((${p}c1 + 0.5) / 2.0);`,
    `const ${p}x2 = Math.floor((${p}c2 + 0.5) / 2.0);`,
    `const ${p}ch = (${p}c1 - ${p}y2 * 2.0) * 2.0 + (${p}c2 - ${p}x2 * 2.0);`,
    placeRow(param, `${p}c0 * ${lit(Math.ceil(b.rows / 2))} + ${p}y2`, b.tiling),
    `const ${p}v = fetch_${param}(${rowTexelU(param, `${p}x2`, b.tiling)}, v_${param});`,
    `let ${target} = ${p}v[3];`,
    `if (${p}ch < 0.5) { ${target} = ${p}v[0]; } else if (${p}ch < 1.5) { ${target} = ${p}v[1]; } else if (${p}ch < 2.5) { ${target} = ${p}v[2]; }`,
  ].join('\n  ');
}
