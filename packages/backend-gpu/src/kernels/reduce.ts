import { type DType, type KernelFunc, kernels, stridesOf, type TensorInfo } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { forLoop, indexCode, kernelSource, LOOP_LIMIT, lit } from '../codegen';

/**
 * Reduction, one thread per output element looping over its reduced sub-box of the input. The
 * reduced axes are merged where they are adjacent (a run of adjacent axes is one stride pattern)
 * and walked with nested loops in row-major order, the order the CPU reduces in, so that
 * argmax/argmin see the same "first" index. The kept axes give each thread's base offset.
 *
 * A long reduction (more than SPLIT_ABOVE elements per output) runs in two passes, so that a
 * full reduction does not leave one GPU thread walking the whole tensor: pass 1 cuts the
 * outermost reduced loop into G chunks and reduces each chunk in its own thread ([..., G]
 * partials, plus the winners' indices for argmax/argmin); pass 2 reduces the partials. Chunks
 * are in order and each keeps its first winner, so ties still go to the first index, and a
 * chunk holding a NaN passes it on, so NaN still wins.
 */
export const reduceKernel: KernelFunc<kernels.ReduceAttrs, GpuBackend> = ({
  inputs: [x],
  attrs,
  backend,
}) => {
  const { op, axes, keepDims } = attrs;
  const rank = x.shape.length;
  const inStrides = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((k) => x.shape[k]);
  const keptStrides = kept.map((k) => inStrides[k]);
  const loops = reducedLoops(x.shape, inStrides, axes);
  let inner = 1;
  for (const a of axes) inner *= x.shape[a];
  const dtype = outputDType(op, x.dtype);
  const shape = rank === 0 ? [] : keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptShape;
  const floatSum = x.dtype === 'float32';

  if (inner <= SPLIT_ABOVE || loops.length === 0 || loops[0].size < 2) {
    const index = indexCode(keptShape, { x: keptStrides });
    const body =
      op === 'argmax' || op === 'argmin'
        ? argBody(op, loops, inner, 'index')
        : valueBody(op, floatSum, loops);
    return backend.run(program(['x'], index, body, loops), [x], shape, dtype);
  }

  // Pass 1: thread (o, g) reduces steps [g * c0, (g + 1) * c0) of the outermost reduced loop.
  const [first, ...rest] = loops;
  const restSize = inner / first.size;
  const c0 = Math.max(Math.ceil(CHUNK / restSize), Math.ceil(first.size / MAX_CHUNKS));
  const g = Math.ceil(first.size / c0);
  const partialShape = [...keptShape, g];
  const chunk: Chunk = { count: c0, start: `c${keptShape.length} * ${lit(c0)}`, bound: first.size };
  const index1 = indexCode(partialShape, { x: [...keptStrides, c0 * first.stride] });
  const chunkLoops = [{ size: c0, stride: first.stride }, ...rest];
  // Pass 2 reduces the last axis (g long) of the partials.
  const index2 = indexCode(keptShape, { x: stridesOf(keptShape).map((s) => s * g) });
  const lastLoop = [{ size: g, stride: 1 }];
  const temps: TensorInfo[] = [];
  try {
    if (op === 'argmax' || op === 'argmin') {
      const values = backend.run(
        program(['x'], index1, argBody(op, chunkLoops, inner, 'value', chunk), chunkLoops),
        [x],
        partialShape,
        x.dtype,
      );
      temps.push(values);
      const indices = backend.run(
        program(['x'], index1, argBody(op, chunkLoops, inner, 'index', chunk), chunkLoops),
        [x],
        partialShape,
        'int32',
      );
      temps.push(indices);
      const body = argBody(op, lastLoop, g, 'pick');
      return backend.run(program(['x', 'xi'], index2, body, lastLoop), [values, indices], shape, dtype);
    }
    const partials = backend.run(
      program(['x'], index1, valueBody(op, floatSum, chunkLoops, chunk), chunkLoops),
      [x],
      partialShape,
      dtype,
    );
    temps.push(partials);
    // Pass 2 combines partials: sums add, products multiply, maxima take the max.
    return backend.run(
      program(['x'], index2, valueBody(op, floatSum, lastLoop), lastLoop),
      [partials],
      shape,
      dtype,
    );
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

/** Reductions longer than this (per output element) run in two passes. */
const SPLIT_ABOVE = 4096;
/** About how many input elements one pass-1 thread reduces. */
const CHUNK = 1024;
/** At most this many partials per output element, so that pass 2 is short. */
const MAX_CHUNKS = 4096;

function outputDType(op: kernels.ReduceOp, dtype: DType): DType {
  if (op === 'argmax' || op === 'argmin') return 'int32';
  if ((op === 'sum' || op === 'prod') && dtype === 'bool') return 'int32';
  return dtype;
}

interface Loop {
  size: number;
  stride: number;
}

/** The first loop of a pass-1 nest runs `count` steps from `start`, stopping at `bound`. */
interface Chunk {
  count: number;
  start: string;
  bound: number;
}

/** The reduced axes as loops, outermost first: adjacent axes merged, size-1 axes dropped. */
function reducedLoops(shape: readonly number[], st: readonly number[], axes: readonly number[]): Loop[] {
  const loops: Loop[] = [];
  let prev = -2;
  for (const a of axes) {
    if (shape[a] === 0) return [{ size: 0, stride: 0 }];
    if (shape[a] === 1) {
      if (prev === a - 1) prev = a; // a run of reduced axes continues through it
      continue;
    }
    const last = loops[loops.length - 1];
    // axis a-1 (in the run of the last loop) has stride shape[a] * st[a]: the two are one run
    if (last && prev === a - 1) {
      last.size *= shape[a];
      last.stride = st[a];
    } else loops.push({ size: shape[a], stride: st[a] });
    prev = a;
  }
  return loops;
}

function program(params: string[], index: string, body: string, loops: readonly Loop[]) {
  const loopMax = Math.max(1, ...loops.map((l) => Math.min(l.size, LOOP_LIMIT)));
  return { source: kernelSource(params, `${index}\n  ${body}`), loopMax };
}

/**
 * Nested loops over the reduced sub-box from offset `o_x`; `step` runs for each element with its
 * value in `v` (and, when `counted`, its row-major number within the reduction in `j`).
 */
function loopNest(loops: readonly Loop[], step: string, chunk?: Chunk, counted = false): string {
  let offset = 'o_x';
  let open = counted ? `let j = ${chunk ? chunk.start : '0.0'};\n  ` : '';
  let close = '';
  loops.forEach((l, d) => {
    const loop = forLoop(`r${d}`, l.size);
    open += loop.open;
    close = loop.close + close;
    if (d === 0 && chunk && chunk.bound % chunk.count !== 0) {
      // the last chunk is short
      open += `if (${chunk.start} + r0 < ${lit(chunk.bound)}) {\n  `;
      close = `}\n  ${close}`;
    }
    open += `const p${d} = ${offset} + r${d} * ${lit(l.stride)};\n  `;
    offset = `p${d}`;
  });
  return `${open}const v = x[${offset}];\n  ${step}\n  ${counted ? 'j = j + 1.0;\n  ' : ''}${close}`;
}

// The largest finite float32: a running sum beyond it has overflowed and needs no compensation.
const FLT_MAX = '3.4028234663852886e38';

/** sum / prod / max / min: returns the reduced value. */
function valueBody(op: kernels.ReduceOp, floatSum: boolean, loops: readonly Loop[], chunk?: Chunk): string {
  switch (op) {
    case 'sum':
      if (!floatSum) {
        // int32 / bool: whole numbers, exact in float32 below 2^24
        return `let s = 0.0;\n  ${loopNest(loops, 's = s + v;', chunk)}return s;`;
      }
      // Kahan-compensated, so that the float32 sum stays close to the CPU's (double) sum.
      return `let s = 0.0;\n  let c = 0.0;\n  ${loopNest(
        loops,
        `const y = v - c;\n  const t = s + y;\n  c = Math.abs(t) <= ${FLT_MAX} ? (t - s) - y : 0.0;\n  s = t;`,
        chunk,
      )}return s;`;
    case 'prod':
      return `let s = 1.0;\n  ${loopNest(loops, 's = s * v;', chunk)}return s;`;
    default: {
      // max / min. NaN wins, as in torch: once m is NaN no comparison replaces it.
      const init = lit(op === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
      const cmp = op === 'max' ? '>' : '<';
      return `let m = ${init};\n  ${loopNest(loops, `if (v ${cmp} m || v != v) {\n  m = v;\n  }`, chunk)}return m;`;
    }
  }
}

/**
 * argmax / argmin: the first winner (the first NaN if there is one). Returns its value, its
 * index, or (`pick`, pass 2) the pass-1 index stored in `xi` for the winning chunk.
 */
function argBody(
  op: kernels.ReduceOp,
  loops: readonly Loop[],
  inner: number,
  result: 'value' | 'index' | 'pick',
  chunk?: Chunk,
): string {
  if (inner === 0) return 'return 0.0;';
  const cmp = op === 'argmax' ? '>' : '<';
  const ret = result === 'value' ? 'm' : result === 'index' ? 'best' : 'xi[o_x + best]';
  return `let m = x[o_x];\n  let best = ${chunk ? chunk.start : '0.0'};\n  ${loopNest(
    loops,
    `if (m == m && (v ${cmp} m || v != v)) {\n  m = v;\n  best = j;\n  }`,
    chunk,
    true,
  )}return ${ret};`;
}

export const reduceConfig = { kernelName: kernels.Reduce, kernelFunc: reduceKernel };
