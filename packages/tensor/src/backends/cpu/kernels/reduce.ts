import type { DType, TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Reduce, type ReduceAttrs, type ReduceOp } from '../../../kernels';
import { stridesOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { coalesce, forEachRow } from '../broadcast';
import { transposeValues } from './transpose';
import { CHUNK, chunkInWasm, inChunks } from './wasm_loops';

/**
 * Reduces over `axes` by first bringing them to the end (a transpose, skipped when they are
 * already last), so that every output element reduces one contiguous run of the input. A sum over
 * leading or middle axes (a bias gradient: [N, C, H, W] over 0, 2, 3; [B, F] over 0) skips the
 * transpose instead: it walks the input once in order, adding each element into its output's
 * float64 accumulator. Each output then sees its elements in the same order as the transposed run
 * would give it (axes ascending), so both paths give the same bits. Over leading axes of float32
 * values, that walk runs in WebAssembly (sumLeadingInWasm), again in the same order.
 */
export const reduceKernel: KernelFunc<ReduceAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { op, axes, keepDims } = attrs;
  const rank = x.shape.length;
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  let inner = 1;
  for (const a of axes) inner *= x.shape[a];
  let outer = 1;
  for (const k of kept) outer *= x.shape[k];

  const perm = [...kept, ...axes];
  const alreadyLast = perm.every((p, i) => p === i);
  const dtype = outputDType(op, x.dtype);
  const y = backend.empty(dtype, outer);
  const xv = backend.values(x);
  if (alreadyLast) {
    if (!(op === 'sum' && sumRowsInWasm(xv, outer, inner, y))) reduceRuns(op, xv, y, outer, inner);
  } else if (op === 'sum' && axes.every((a, i) => i === 0 || axes[i - 1] < a)) {
    const leading = axes.every((a, i) => a === i);
    if (!(leading && sumLeadingInWasm(xv, inner, outer, y))) sumInPlace(xv, x.shape, kept, y);
  } else {
    const values = transposeValues(xv, x.shape, perm, backend.empty(x.dtype, xv.length));
    reduceRuns(op, values, y, outer, inner);
    backend.recycle(values);
  }
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((k) => x.shape[k]);
  return backend.output(y, rank === 0 ? [] : shape, dtype);
};

/** Sums `x` over every axis not in `kept` into `y`, walking `x` once in row-major order. */
function sumInPlace(x: TypedArray, shape: readonly number[], kept: readonly number[], y: TypedArray): void {
  const acc = new Float64Array(y.length);
  // The accumulator's stride along each input axis: the output stride for a kept axis, 0 otherwise.
  const outStrides = stridesOf(kept.map((k) => shape[k]));
  const accStrides = shape.map((_, d) => (kept.includes(d) ? outStrides[kept.indexOf(d)] : 0));
  // Rows that each add into one accumulator (the last axis reduced: a batch norm's [N, C, H, W]
  // over 0, 2, 3) go to WebAssembly.
  const c = coalesce(shape, [accStrides]);
  if (c && c.dims.length > 0 && c.strides[0][c.dims.length - 1] === 0) {
    const len = c.dims[c.dims.length - 1];
    const idx = new Int32Array(x.length / Math.max(1, len));
    let r = 0;
    forEachRow(shape, [accStrides], (_o, [oa]) => {
      idx[r++] = oa;
    });
    if (sumRunsInWasm(x, len, idx, acc)) {
      y.set(acc);
      return;
    }
  }
  forEachRow(shape, [accStrides], (o, [oa], n, [sa]) => {
    if (sa === 0) {
      let s = acc[oa];
      for (let i = 0; i < n; i++) s += x[o + i];
      acc[oa] = s;
    } else {
      for (let i = 0; i < n; i++) acc[oa + i * sa] += x[o + i];
    }
  });
  for (let i = 0; i < y.length; i++) y[i] = acc[i];
}

/**
 * A float32 sum over leading axes — x as [rows, cols], summed down the columns — in WebAssembly
 * (wasm/reduce.ts), chunk by chunk of rows, the float64 sums carried from chunk to chunk: each
 * column adds its elements in the same order as sumInPlace, so the bits are the same. False when
 * the loop stays in JS (other dtypes; see inChunks).
 */
function sumLeadingInWasm(x: TypedArray, rows: number, cols: number, y: TypedArray): boolean {
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || cols === 0) return false;
  const acc = new Float64Array(cols);
  const accWords = new Int32Array(acc.buffer);
  const perChunk = Math.max(1, Math.floor(CHUNK / cols));
  const done = inChunks(x.length, rows, perChunk, (r0, r1) =>
    chunkInWasm([x.subarray(r0 * cols, r1 * cols), accWords], [accWords], (e, [xAt, from, to]) =>
      e.sumColumns(xAt, r1 - r0, cols, from, to),
    ),
  );
  if (done) y.set(acc);
  return done;
}

/** Each row's sum of x as [rows, len] (rows each their own sum), in WebAssembly; see sumRunsInWasm. */
function sumRowsInWasm(x: TypedArray, rows: number, len: number, y: TypedArray): boolean {
  if (!(y instanceof Float32Array)) return false;
  const acc = new Float64Array(rows);
  if (
    !sumRunsInWasm(
      x,
      len,
      Int32Array.from({ length: rows }, (_, r) => r),
      acc,
    )
  )
    return false;
  y.set(acc);
  return true;
}

/**
 * Float32 sums of whole runs in WebAssembly (wasm/reduce.ts): run r (x's elements r·len …) is
 * added, in order, into acc[idx[r]] — what reduceRuns' sum and sumInPlace's rows do, with the same
 * bits — chunk by chunk of runs, the float64 sums carried from chunk to chunk. False, having
 * written nothing, when the loop stays in JS (other dtypes, runs over a chunk long; see inChunks).
 */
function sumRunsInWasm(x: TypedArray, len: number, idx: Int32Array, acc: Float64Array): boolean {
  if (!(x instanceof Float32Array) || len === 0 || len > CHUNK || idx.length < 2) return false;
  const accWords = new Int32Array(acc.buffer);
  const runs = idx.length;
  const perChunk = Math.max(1, Math.floor(CHUNK / len));
  const sums = Float64Array.from(acc);
  const sumWords = new Int32Array(sums.buffer);
  const done = inChunks(x.length, runs, perChunk, (r0, r1) =>
    chunkInWasm(
      [x.subarray(r0 * len, r1 * len), idx.subarray(r0, r1), sumWords],
      [sumWords],
      (e, [xAt, idxAt, from, to]) => e.sumRuns(xAt, r1 - r0, len, idxAt, acc.length, from, to),
    ),
  );
  if (done) accWords.set(sumWords);
  return done;
}

function outputDType(op: ReduceOp, dtype: DType): DType {
  if (op === 'argmax' || op === 'argmin') return 'int32';
  if ((op === 'sum' || op === 'prod') && dtype === 'bool') return 'int32';
  return dtype;
}

function reduceRuns(op: ReduceOp, x: TypedArray, y: TypedArray, outer: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const start = o * inner;
    const end = start + inner;
    switch (op) {
      case 'sum': {
        let s = 0;
        for (let i = start; i < end; i++) s += x[i];
        y[o] = s;
        break;
      }
      case 'prod': {
        let p = 1;
        for (let i = start; i < end; i++) p *= x[i];
        y[o] = p;
        break;
      }
      case 'max':
      case 'min': {
        // NaN wins, as in torch.
        const isMax = op === 'max';
        let m = inner === 0 ? (isMax ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY) : x[start];
        for (let i = start + 1; i < end; i++) {
          const v = x[i];
          if (Number.isNaN(v)) {
            m = v;
            break;
          }
          if (isMax ? v > m : v < m) m = v;
        }
        y[o] = m;
        break;
      }
      case 'argmax':
      case 'argmin': {
        const isMax = op === 'argmax';
        let best = start;
        for (let i = start + 1; i < end; i++) {
          if (Number.isNaN(x[best])) break;
          if (isMax ? x[i] > x[best] || Number.isNaN(x[i]) : x[i] < x[best] || Number.isNaN(x[i])) best = i;
        }
        y[o] = best - start;
        break;
      }
    }
  }
}

export const reduceConfig = { kernelName: Reduce, kernelFunc: reduceKernel };
