import type { TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Binary, type BinaryAttrs, type BinaryOp, COMPARISON_OPS } from '../../../kernels';
import { broadcastShapes, broadcastStrides, shapesEqual } from '../../../shape';
import type { CpuBackend } from '../backend';
import { coalesce, forEachRow } from '../broadcast';
import { CHUNK, chunkInWasm, inChunks, pointwiseInWasm } from './wasm_loops';

/**
 * Binary elementwise arithmetic with broadcasting. Every call is a set of runs (see forEachRow):
 * y[o + i] = a[oa + i·sa] op b[ob + i·sb] for i < n, with sa, sb ∈ {0, 1, ...}. The arithmetic
 * ops, the ones training runs all the time (optimizer updates with a scalar, bias adds, gradients),
 * each have their own loop for the three common run kinds — both contiguous, one side a
 * constant, strided; every other op has one strided loop. No function is called per element
 * (a shared `fn(a, b)` call site costs 4–5× the loop itself).
 */

/** One run of an op with its own loops: y[o + i] = a[oa + i·sa] op b[ob + i·sb], i < n. */
type Run = (
  y: TypedArray,
  o: number,
  a: TypedArray,
  oa: number,
  sa: number,
  b: TypedArray,
  ob: number,
  sb: number,
  n: number,
) => void;

const add: Run = (y, o, a, oa, sa, b, ob, sb, n) => {
  if (sa === 1 && sb === 1) for (let i = 0; i < n; i++) y[o + i] = a[oa + i] + b[ob + i];
  else if (sa === 1 && sb === 0) {
    const s = b[ob];
    for (let i = 0; i < n; i++) y[o + i] = a[oa + i] + s;
  } else if (sa === 0 && sb === 1) {
    const s = a[oa];
    for (let i = 0; i < n; i++) y[o + i] = s + b[ob + i];
  } else for (let i = 0; i < n; i++) y[o + i] = a[oa + i * sa] + b[ob + i * sb];
};

const sub: Run = (y, o, a, oa, sa, b, ob, sb, n) => {
  if (sa === 1 && sb === 1) for (let i = 0; i < n; i++) y[o + i] = a[oa + i] - b[ob + i];
  else if (sa === 1 && sb === 0) {
    const s = b[ob];
    for (let i = 0; i < n; i++) y[o + i] = a[oa + i] - s;
  } else if (sa === 0 && sb === 1) {
    const s = a[oa];
    for (let i = 0; i < n; i++) y[o + i] = s - b[ob + i];
  } else for (let i = 0; i < n; i++) y[o + i] = a[oa + i * sa] - b[ob + i * sb];
};

const mul: Run = (y, o, a, oa, sa, b, ob, sb, n) => {
  if (sa === 1 && sb === 1) for (let i = 0; i < n; i++) y[o + i] = a[oa + i] * b[ob + i];
  else if (sa === 1 && sb === 0) {
    const s = b[ob];
    for (let i = 0; i < n; i++) y[o + i] = a[oa + i] * s;
  } else if (sa === 0 && sb === 1) {
    const s = a[oa];
    for (let i = 0; i < n; i++) y[o + i] = s * b[ob + i];
  } else for (let i = 0; i < n; i++) y[o + i] = a[oa + i * sa] * b[ob + i * sb];
};

const div: Run = (y, o, a, oa, sa, b, ob, sb, n) => {
  if (sa === 1 && sb === 1) for (let i = 0; i < n; i++) y[o + i] = a[oa + i] / b[ob + i];
  else if (sa === 1 && sb === 0) {
    const s = b[ob];
    for (let i = 0; i < n; i++) y[o + i] = a[oa + i] / s;
  } else if (sa === 0 && sb === 1) {
    const s = a[oa];
    for (let i = 0; i < n; i++) y[o + i] = s / b[ob + i];
  } else for (let i = 0; i < n; i++) y[o + i] = a[oa + i * sa] / b[ob + i * sb];
};

/**
 * The other ops: one strided loop each, chosen once per run. Comparisons write `+(a < b)`, not
 * `a < b ? 1 : 0`: on data with random signs (a relu mask) the branch mispredicts half the time,
 * which made the loop ~15× slower.
 */
const other =
  (op: BinaryOp): Run =>
  (y, o, a, oa, sa, b, ob, sb, n) => {
    switch (op) {
      case 'pow':
        for (let i = 0; i < n; i++) y[o + i] = a[oa + i * sa] ** b[ob + i * sb];
        return;
      // NaN propagates, as in torch.maximum/minimum.
      case 'maximum':
        for (let i = 0; i < n; i++) {
          const u = a[oa + i * sa];
          const v = b[ob + i * sb];
          y[o + i] = u > v || Number.isNaN(u) ? u : v;
        }
        return;
      case 'minimum':
        for (let i = 0; i < n; i++) {
          const u = a[oa + i * sa];
          const v = b[ob + i * sb];
          y[o + i] = u < v || Number.isNaN(u) ? u : v;
        }
        return;
      case 'eq':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] === b[ob + i * sb]);
        return;
      case 'ne':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] !== b[ob + i * sb]);
        return;
      case 'lt':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] < b[ob + i * sb]);
        return;
      case 'le':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] <= b[ob + i * sb]);
        return;
      case 'gt':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] > b[ob + i * sb]);
        return;
      case 'ge':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] >= b[ob + i * sb]);
        return;
      case 'and':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] !== 0) & +(b[ob + i * sb] !== 0);
        return;
      case 'or':
        for (let i = 0; i < n; i++) y[o + i] = +(a[oa + i * sa] !== 0) | +(b[ob + i * sb] !== 0);
        return;
      default:
        throw new Error(`binary: no loop for op '${op}'`);
    }
  };

/**
 * A float32 array compared with one number (a mask such as leaky relu's x > 0): loops that only
 * ever see these three types. The shared strided loops above see every dtype, and V8 then runs
 * their element accesses ~10× slower.
 */
function compareWithNumber(
  op: BinaryOp,
  a: Float32Array,
  s: number,
  y: Uint8Array,
  aFirst: boolean,
): boolean {
  const n = y.length;
  // With the number first, s op a[i] is a[i] (mirrored op) s.
  const o = aFirst
    ? op
    : (({ lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as Partial<Record<BinaryOp, BinaryOp>>)[op] ?? op);
  switch (o) {
    case 'gt':
      for (let i = 0; i < n; i++) y[i] = +(a[i] > s);
      return true;
    case 'ge':
      for (let i = 0; i < n; i++) y[i] = +(a[i] >= s);
      return true;
    case 'lt':
      for (let i = 0; i < n; i++) y[i] = +(a[i] < s);
      return true;
    case 'le':
      for (let i = 0; i < n; i++) y[i] = +(a[i] <= s);
      return true;
    case 'eq':
      for (let i = 0; i < n; i++) y[i] = +(a[i] === s);
      return true;
    case 'ne':
      for (let i = 0; i < n; i++) y[i] = +(a[i] !== s);
      return true;
    default:
      return false;
  }
}

const RUNS: Record<BinaryOp, Run> = {
  add,
  sub,
  mul,
  div,
  pow: other('pow'),
  maximum: other('maximum'),
  minimum: other('minimum'),
  eq: other('eq'),
  ne: other('ne'),
  lt: other('lt'),
  le: other('le'),
  gt: other('gt'),
  ge: other('ge'),
  and: other('and'),
  or: other('or'),
};

const WASM_OPS: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

/**
 * float32 add, sub, mul and div in WebAssembly (wasm/elementwise.ts): same shapes or a scalar
 * side as one pointwise loop; a broadcast with one side full and the other small (a bias
 * [1, C, 1, 1] on [N, C, H, W], a row), or both small (an outer sum), run by run as the JS loops
 * below, in chunks of whole runs.
 * False when the op, dtypes or strides do not fit, or the loop stays in JS (see inChunks).
 */
function binaryInWasm(
  op: BinaryOp,
  aShape: readonly number[],
  bShape: readonly number[],
  shape: readonly number[],
  av: TypedArray,
  bv: TypedArray,
  y: Float32Array,
): boolean {
  const code = WASM_OPS[op];
  if (code === undefined || !(av instanceof Float32Array) || !(bv instanceof Float32Array)) return false;
  const size = y.length;
  if (shapesEqual(aShape, bShape) || av.length === 1 || bv.length === 1) {
    const [sa, sb] = [+(av.length === size), +(bv.length === size)];
    return pointwiseInWasm([av, bv], y, (e, [a, b, out], n) => e.binary(code, a, sa, b, sb, out, n));
  }
  const aFull = av.length === size;
  const bFull = bv.length === size;
  if (aFull && bFull) return false;
  const strides = [broadcastStrides(aShape, shape), broadcastStrides(bShape, shape)];
  const c = coalesce(shape, strides);
  if (!c || c.dims.length === 0) return false;
  const inner = c.dims.length - 1;
  const [sa, sb] = [c.strides[0][inner], c.strides[1][inner]];
  if ((sa !== 0 && sa !== 1) || (sb !== 0 && sb !== 1)) return false;
  // Run r writes y[r·len, (r + 1)·len), from each side's offset at the start of the run.
  const len = c.dims[inner];
  const perChunk = Math.max(1, Math.floor(CHUNK / len));
  if (!aFull && !bFull) {
    // Both sides broadcast (an outer sum: [N, 1, 1, 1] + [1, C, H, W]): each whole in the
    // module's memory with every chunk of the result, one call of `binary` per run.
    if (av.length > CHUNK || bv.length > CHUNK) return false;
    const aAt: number[] = [];
    const bAt: number[] = [];
    forEachRow(shape, strides, (_o, [oa, ob]) => {
      aAt.push(oa);
      bAt.push(ob);
    });
    return inChunks(size, aAt.length, perChunk, (r0, r1) =>
      chunkInWasm([av, bv], [y.subarray(r0 * len, r1 * len)], (e, [a, b, out]) => {
        for (let r = r0; r < r1; r++) {
          e.binary(code, a + 4 * aAt[r], sa, b + 4 * bAt[r], sb, out + 4 * (r - r0) * len, len);
        }
      }),
    );
  }
  const [full, small] = aFull ? [av, bv] : [bv, av];
  if (small.length > CHUNK) return false;
  const smallAt: number[] = [];
  forEachRow(shape, strides, (_o, [oa, ob]) => smallAt.push(aFull ? ob : oa));
  const offsets = Int32Array.from(smallAt);
  const ss = aFull ? sb : sa;
  return inChunks(size, offsets.length, perChunk, (r0, r1) =>
    chunkInWasm(
      [full.subarray(r0 * len, r1 * len), small, offsets.subarray(r0, r1)],
      [y.subarray(r0 * len, r1 * len)],
      (e, [f, s, o, out]) => e.binaryRuns(code, f, s, ss, aFull ? 0 : 1, o, r1 - r0, len, out),
    ),
  );
}

export const binaryKernel: KernelFunc<BinaryAttrs, CpuBackend> = ({ inputs: [a, b], attrs, backend }) => {
  const shape = broadcastShapes(attrs.op, a.shape, b.shape);
  const dtype = COMPARISON_OPS.has(attrs.op) ? 'bool' : a.dtype;
  const av = backend.values(a);
  const bv = backend.values(b);
  let size = 1;
  for (const d of shape) size *= d;
  const y = backend.empty(dtype, size);
  if (y instanceof Float32Array && binaryInWasm(attrs.op, a.shape, b.shape, shape, av, bv, y)) {
    return backend.output(y, shape, dtype);
  }
  if (y instanceof Uint8Array && (av.length === 1) !== (bv.length === 1)) {
    const [full, one] = av.length === 1 ? [bv, av] : [av, bv];
    if (full instanceof Float32Array && full.length === size) {
      if (compareWithNumber(attrs.op, full, one[0], y, full === av)) return backend.output(y, shape, dtype);
    }
  }
  const run = RUNS[attrs.op];
  if (shapesEqual(a.shape, b.shape) || bv.length === 1 || av.length === 1) {
    // One run over everything (the common cases: no stride bookkeeping).
    run(y, 0, av, 0, av.length === 1 ? 0 : 1, bv, 0, bv.length === 1 ? 0 : 1, size);
  } else {
    const strides = [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)];
    forEachRow(shape, strides, (o, [oa, ob], n, [sa, sb]) => run(y, o, av, oa, sa, bv, ob, sb, n));
  }
  return backend.output(y, shape, dtype);
};

export const binaryConfig = { kernelName: Binary, kernelFunc: binaryKernel };
