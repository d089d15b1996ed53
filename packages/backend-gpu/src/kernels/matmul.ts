import {
  broadcastStrides,
  type KernelFunc,
  kernels,
  matMulGeometry,
  stridesOf,
  type TensorInfo,
} from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, LOOP_LIMIT, lit } from '../codegen';
import { pack, stridedReader, texelsPerRow } from '../packed';
import { productOfPacks } from '../packed_product';

/**
 * Batched matrix product a [..., M, K] · b [..., K, N] → [..., M, N], with a (b) read with its
 * last two dims swapped when `transposeA` (`transposeB`) and batch dims broadcast (stride 0).
 * One thread per output element runs the dot product over K; the transposes are only strides.
 */
export const matMulKernel: KernelFunc<kernels.MatMulAttrs, GpuBackend> = ({
  inputs: [a, b],
  attrs,
  backend,
}) => {
  const { transposeA, transposeB } = attrs;
  const { m, k, n, batchShape, outShape } = matMulGeometry(a.shape, b.shape, attrs);

  // Element strides: a's (row i, column p) of op(A), b's (row p, column j) of op(B).
  const aRow = transposeA ? 1 : k;
  const aCol = transposeA ? m : 1;
  const bRow = transposeB ? 1 : n;
  const bCol = transposeB ? k : 1;
  const macs = batchShape.reduce((x, y) => x * y, 1) * m * n * k;
  if (backend.isGl && macs >= backend.packedMinMacs && texelsPerRow(k) <= LOOP_LIMIT) {
    const packed = packedMatMul(backend, a, b, { m, k, n, batchShape, outShape, aRow, aCol, bRow, bCol });
    if (packed) return packed;
  }
  const aBatch = broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * m * k);
  const bBatch = broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * k * n);
  const index = indexCode(outShape, { a: [...aBatch, aRow, 0], b: [...bBatch, 0, bCol] });
  const dot = dotCode(k, aCol, bRow);
  const source = kernelSource(['a', 'b'], `${index}\n  ${dot.code}`);
  return backend.run({ source, loopMax: dot.loopMax }, [a, b], outShape, a.dtype);
};

interface Geometry {
  m: number;
  k: number;
  n: number;
  batchShape: number[];
  outShape: number[];
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
}

/**
 * The GL modes' product: op(A) and op(B)ᵀ packed along k (packed.ts), each in its own batch shape
 * with rows padded to even, then the packed product (packed_product.ts), whose batch dims
 * broadcast by stride 0. Null where a packed texture would not fit the device (the one-value
 * kernel runs instead).
 */
function packedMatMul(backend: GpuBackend, a: TensorInfo, b: TensorInfo, g: Geometry): TensorInfo | null {
  const { m, k, n, batchShape, outShape } = g;
  const even = (x: number) => 2 * Math.ceil(x / 2);
  const aOwn = a.shape.slice(0, -2);
  const bOwn = b.shape.slice(0, -2);
  const entries = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);
  const readA = stridedReader({
    batch: aOwn,
    batchStrides: stridesOf(aOwn).map((s) => s * m * k),
    rows: m,
    paddedRows: even(m),
    cols: k,
    rowStride: g.aRow,
    colStride: g.aCol,
  });
  const readB = stridedReader({
    batch: bOwn,
    batchStrides: stridesOf(bOwn).map((s) => s * k * n),
    rows: n,
    paddedRows: even(n),
    cols: k,
    rowStride: g.bCol,
    colStride: g.bRow,
  });
  const pa = pack(backend, readA, entries(aOwn) * even(m), [a]);
  const pb = pa && pack(backend, readB, entries(bOwn) * even(n), [b]);
  const pc = productOfPacks(
    backend,
    [pa, pb],
    {
      batchShape,
      aEntryStrides: broadcastStrides(aOwn, batchShape),
      bEntryStrides: broadcastStrides(bOwn, batchShape),
      m: even(m),
      n: even(n),
    },
    k,
  );
  if (!pc) return null;
  return backend.fromBlocks(pc, m, n, outShape, a.dtype);
}

/**
 * Σ_p a[o_a + p * sa] · b[o_b + p * sb] over p < k, unrolled by 4 into four running sums (about
 * 3x faster in webasm than the plain loop, and a little more accurate), with the offsets stepped
 * rather than recomputed.
 */
function dotCode(k: number, sa: number, sb: number): { code: string; loopMax: number } {
  const k4 = Math.floor(k / 4);
  const step = [
    's0 = s0 + a[ia] * b[ib];',
    `s1 = s1 + a[ia + ${lit(sa)}] * b[ib + ${lit(sb)}];`,
    `s2 = s2 + a[ia + ${lit(2 * sa)}] * b[ib + ${lit(2 * sb)}];`,
    `s3 = s3 + a[ia + ${lit(3 * sa)}] * b[ib + ${lit(3 * sb)}];`,
    `ia = ia + ${lit(4 * sa)};`,
    `ib = ib + ${lit(4 * sb)};`,
  ];
  const lines = [
    'let s0 = 0.0;',
    'let s1 = 0.0;',
    'let s2 = 0.0;',
    'let s3 = 0.0;',
    'let ia = o_a;',
    'let ib = o_b;',
  ];
  if (k4 <= LOOP_LIMIT) {
    lines.push(`for (let p = 0; p < ${k4}; p++) {`, ...step.map((l) => `  ${l}`), '}');
  } else {
    lines.push(
      `for (let q = 0; q < ${Math.ceil(k4 / LOOP_LIMIT)}; q++) {`,
      `  for (let p = 0; p < ${LOOP_LIMIT}; p++) {`,
      `    if (q * ${lit(LOOP_LIMIT)} + p < ${lit(k4)}) {`,
      ...step.map((l) => `      ${l}`),
      '    }',
      '  }',
      '}',
    );
  }
  // the k % 4 leftover products
  for (let r = 0; r < k - 4 * k4; r++)
    lines.push(`s${r} = s${r} + a[ia + ${lit(r * sa)}] * b[ib + ${lit(r * sb)}];`);
  lines.push('return (s0 + s1) + (s2 + s3);');
  return { code: lines.join('\n  '), loopMax: Math.max(1, Math.min(k4, LOOP_LIMIT)) };
}

export const matMulConfig = { kernelName: kernels.MatMul, kernelFunc: matMulKernel };
