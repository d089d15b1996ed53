/**
 * Movement ops: cutting, joining, padding and indexing tensors. They are built on five kernels
 * (Slice, Concat, Pad, Gather, ScatterAdd) plus reshape views and broadcasting, so each has a
 * gradient through those kernels alone. Semantics follow PyTorch.
 */
import { assertDTypeName, type DType, isFloat, promoteTypes } from '../dtype';
import { SplitComposite } from '../engine';
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import { ENGINE } from '../global_engine';
import { Concat, Gather, Pad, ScatterAdd, Slice } from '../kernels';
import { normalizeAxis, shapesEqual } from '../shape';
import type { Tensor } from '../tensor';
import { arange } from './creation';
import { add, cast, eq } from './elementwise';
import { argmax, argmin } from './reduce';
import { expand, reshape, squeeze, unsqueeze } from './shape';
import { assertTensor, describe, op, run } from './util';

// ---- helpers ----

function assertInt(name: string, v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ValueError(`${name}: expected ${what} to be an integer, got ${describe(v)}`);
  }
  return v;
}

function assertIntList(name: string, v: unknown, what: string): readonly number[] {
  if (!Array.isArray(v))
    throw new ValueError(`${name}: expected ${what} to be an array of integers, got ${describe(v)}`);
  v.forEach((n, i) => {
    assertInt(name, n, `${what}[${i}]`);
  });
  return v;
}

/** The Slice kernel on an already resolved box, skipped when the box is all of x. */
function sliceBox(
  x: Tensor,
  begin: readonly number[],
  size: readonly number[],
  step?: readonly number[],
): Tensor {
  const steps = step ?? size.map(() => 1);
  if (begin.every((b, d) => b === 0 && size[d] === x.shape[d] && steps[d] === 1)) return x;
  return run(Slice, [x], { begin: [...begin], size: [...size], step: [...steps] });
}

/** `x` narrowed to [start, start + length) on `axis` (all validated). */
function narrowBox(x: Tensor, axis: number, start: number, length: number): Tensor {
  return sliceBox(
    x,
    x.shape.map((_, d) => (d === axis ? start : 0)),
    x.shape.map((n, d) => (d === axis ? length : n)),
  );
}

/**
 * Index tensors are int32. A float tensor holding whole numbers is accepted and cast (so that
 * `tensor([0, 2])` works); any other dtype is a DTypeError.
 */
function indexTensor(name: string, index: unknown, arg = 'index'): Tensor {
  const t = assertTensor(name, index, arg);
  if (t.dtype === 'int32') return t;
  if (!isFloat(t.dtype)) {
    throw new DTypeError(
      `${name}: expected '${arg}' to be int32 (or float holding whole numbers), got ${t.dtype}`,
    );
  }
  const values = ENGINE.readSync(t);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) {
      throw new ValueError(
        `${name}: expected '${arg}' to hold whole numbers, got ${values[i]} at flat position ${i}`,
      );
    }
  }
  return cast(t, 'int32');
}

/** Every index must lie in [0, size): like torch, negative indices are out of range, not wrapped. */
function checkRange(
  name: string,
  index: Tensor,
  size: number,
  axis: number,
  xShape: readonly number[],
): void {
  const values = ENGINE.readSync(index);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0 || v >= size) {
      throw new ValueError(
        `${name}: index ${v} is out of bounds for dim ${axis} of size ${size} (x shape ${fmtShape(xShape)}); valid indices are 0 to ${size - 1}`,
      );
    }
  }
}

/** Resolves a Python slice bound: null means the open end, negatives count from the end, then clamp. */
function sliceBound(
  v: number | null | undefined,
  dim: number,
  open: number,
  what: string,
  d: number,
): number {
  if (v === null || v === undefined) return open;
  assertInt('slice', v, `${what} of dim ${d}`);
  const i = v < 0 ? v + dim : v;
  return Math.min(Math.max(i, 0), dim);
}

// ---- slicing ----

/**
 * `x[s0:e0:t0, s1:e1:t1, ...]` with Python semantics per dim: negative indices count from the end,
 * out-of-range bounds clamp, null is the open end, steps are >= 1. Dims past the given lists are
 * kept whole.
 */
export const slice = op(
  (
    x: Tensor,
    starts: readonly (number | null)[],
    ends?: readonly (number | null)[],
    steps?: readonly number[],
  ): Tensor => {
    assertTensor('slice', x);
    if (!Array.isArray(starts))
      throw new ValueError(`slice: expected starts to be an array, got ${describe(starts)}`);
    if (ends !== undefined && !Array.isArray(ends)) {
      throw new ValueError(`slice: expected ends to be an array, got ${describe(ends)}`);
    }
    if (steps !== undefined) assertIntList('slice', steps, 'steps');
    const n = Math.max(starts.length, ends?.length ?? 0, steps?.length ?? 0);
    if (n > x.rank) {
      throw new ShapeError(`slice: got bounds for ${n} dims, but x has rank ${x.rank} ${fmtShape(x.shape)}`);
    }
    const begin: number[] = [];
    const size: number[] = [];
    const step: number[] = [];
    x.shape.forEach((dim, d) => {
      const st = steps?.[d] ?? 1;
      if (st < 1) throw new ValueError(`slice: step must be >= 1, got ${st} for dim ${d}`);
      const b = sliceBound(starts[d], dim, 0, 'start', d);
      const e = sliceBound(ends?.[d], dim, dim, 'end', d);
      begin.push(b);
      size.push(e > b ? Math.ceil((e - b) / st) : 0);
      step.push(st);
    });
    return sliceBox(x, begin, size, step);
  },
);

/** torch.narrow: `length` entries of `axis` from `start` (which may be negative). */
export const narrow = op((x: Tensor, axis: number, start: number, length: number): Tensor => {
  assertTensor('narrow', x);
  if (x.rank === 0) throw new ShapeError('narrow: expected x of rank >= 1, got []');
  const a = normalizeAxis('narrow', axis, x.rank);
  assertInt('narrow', start, 'start');
  assertInt('narrow', length, 'length');
  const dim = x.shape[a];
  const s = start < 0 ? start + dim : start;
  if (length < 0 || s < 0 || s + length > dim) {
    throw new ValueError(
      `narrow: start ${start} and length ${length} do not fit in dim ${a} of size ${dim} (x shape ${fmtShape(x.shape)})`,
    );
  }
  return narrowBox(x, a, s, length);
});

// ---- joining and splitting ----

function assertTensorList(name: string, xs: unknown): readonly Tensor[] {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ValueError(
      `${name}: expected a non-empty array of tensors, got ${Array.isArray(xs) ? 'an empty array' : describe(xs)}`,
    );
  }
  xs.forEach((x, i) => {
    assertTensor(name, x, `xs[${i}]`);
  });
  return xs;
}

/** torch.cat: joins tensors of one rank along `axis`; other dims must match. Dtypes are promoted. */
export const concat = op((xs: readonly Tensor[], axis = 0): Tensor => {
  assertTensorList('concat', xs);
  const first = xs[0];
  if (first.rank === 0)
    throw new ShapeError('concat: cannot concatenate 0-d tensors (xs[0] has shape []); use stack');
  const a = normalizeAxis('concat', axis, first.rank);
  xs.forEach((x, i) => {
    if (x.rank !== first.rank || x.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      const expected = first.shape.map((d, k) => (k === a ? '*' : String(d)));
      throw new ShapeError(
        `concat: xs[${i}] has shape ${fmtShape(x.shape)}, expected [${expected.join(', ')}] (like xs[0] except on axis ${a})`,
      );
    }
  });
  const dtype = xs.reduce<DType>((dt, x) => promoteTypes(dt, x.dtype), first.dtype);
  const ts = xs.map((x) => cast(x, dtype));
  return ts.length === 1 ? ts[0] : run(Concat, ts, { axis: a });
});

/** torch.stack: joins same-shaped tensors along a new axis. */
export const stack = op((xs: readonly Tensor[], axis = 0): Tensor => {
  assertTensorList('stack', xs);
  const first = xs[0];
  xs.forEach((x, i) => {
    if (!shapesEqual(x.shape, first.shape)) {
      throw new ShapeError(
        `stack: xs[${i}] has shape ${fmtShape(x.shape)}, expected ${fmtShape(first.shape)} like xs[0]`,
      );
    }
  });
  const a = normalizeAxis('stack', axis, first.rank + 1);
  return concat(
    xs.map((x) => unsqueeze(x, a)),
    a,
  );
});

/**
 * torch.split: pieces of `sizeOrSections` entries along `axis` (the last one may be smaller), or
 * pieces of the listed sizes, which must add up to the dim.
 */
export const split = op((x: Tensor, sizeOrSections: number | readonly number[], axis = 0): Tensor[] => {
  assertTensor('split', x);
  if (x.rank === 0) throw new ShapeError('split: expected x of rank >= 1, got []');
  const a = normalizeAxis('split', axis, x.rank);
  const dim = x.shape[a];
  let sizes: readonly number[];
  if (typeof sizeOrSections === 'number') {
    const s = assertInt('split', sizeOrSections, 'the split size');
    if (s < 0 || (s === 0 && dim !== 0)) {
      throw new ValueError(
        `split: split size must be a positive integer, got ${s} (dim ${a} has size ${dim})`,
      );
    }
    const count = s === 0 ? 1 : Math.max(Math.ceil(dim / s), 1);
    sizes = Array.from({ length: count }, (_, i) => Math.min(s, dim - i * s));
  } else {
    sizes = assertIntList('split', sizeOrSections, 'sections');
    const total = sizes.reduce((t, n) => t + n, 0);
    if (sizes.some((n) => n < 0) || total !== dim) {
      throw new ValueError(
        `split: sections [${sizes.join(', ')}] must be non-negative and sum to ${dim} (dim ${a} of ${fmtShape(x.shape)}), got sum ${total}`,
      );
    }
  }
  let start = 0;
  return ENGINE.runComposite(SplitComposite, [x], { axis: a, sizes }, () =>
    sizes.map((n) => {
      const piece = narrowBox(x, a, start, n);
      start += n;
      return piece;
    }),
  );
});

/**
 * torch.chunk: `chunks` pieces of ceil(dim / chunks) entries along `axis` (fewer pieces when the
 * dim runs out first, as in torch).
 */
export const chunk = op((x: Tensor, chunks: number, axis = 0): Tensor[] => {
  assertTensor('chunk', x);
  assertInt('chunk', chunks, 'chunks');
  if (chunks < 1) throw new ValueError(`chunk: chunks must be >= 1, got ${chunks}`);
  if (x.rank === 0) throw new ShapeError('chunk: expected x of rank >= 1, got []');
  const a = normalizeAxis('chunk', axis, x.rank);
  const dim = x.shape[a];
  return dim === 0 ? split(x, new Array<number>(chunks).fill(0), a) : split(x, Math.ceil(dim / chunks), a);
});

// ---- padding ----

/**
 * Constant padding of the last `pads.length` dims: `pads[i] = [before, after]` for dim
 * rank - pads.length + i (in dim order, not torch's reversed one). Negative pads crop.
 */
export const pad = op((x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor => {
  assertTensor('pad', x);
  if (!Array.isArray(pads))
    throw new ValueError(`pad: expected pads to be an array of [before, after] pairs, got ${describe(pads)}`);
  if (pads.length > x.rank) {
    throw new ShapeError(
      `pad: got ${pads.length} [before, after] pairs for x of rank ${x.rank} ${fmtShape(x.shape)}`,
    );
  }
  pads.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every(Number.isInteger)) {
      throw new ValueError(
        `pad: expected pads[${i}] to be a pair of integers [before, after], got ${JSON.stringify(p)}`,
      );
    }
  });
  if (typeof value !== 'number')
    throw new ValueError(`pad: expected value to be a number, got ${describe(value)}`);
  const lead = x.rank - pads.length;
  const full = x.shape.map((_, d): readonly [number, number] => (d < lead ? [0, 0] : pads[d - lead]));
  // Crop first (negative pads), then pad what is left, as torch's constant_pad_nd does.
  const begin = full.map(([b]) => Math.max(-b, 0));
  const size = x.shape.map((n, d) => n - begin[d] - Math.max(-full[d][1], 0));
  size.forEach((n, d) => {
    if (n < 0) {
      throw new ShapeError(
        `pad: pads [${full[d].join(', ')}] crop more than the ${x.shape[d]} entries of dim ${d} (x shape ${fmtShape(x.shape)})`,
      );
    }
  });
  const cropped = sliceBox(x, begin, size);
  const grow = full.map(([b, a]): [number, number] => [Math.max(b, 0), Math.max(a, 0)]);
  if (grow.every(([b, a]) => b === 0 && a === 0)) return cropped;
  return run(Pad, [cropped], { pads: grow, value });
});

// ---- indexing ----

/**
 * torch.gather: `out[..i..] = x[..index[..i..]..]`, the index substituted on `axis`. index has
 * x's rank, and on every other dim no more entries than x.
 */
export const gather = op((x: Tensor, axis: number, index: Tensor): Tensor => {
  assertTensor('gather', x);
  const idx = indexTensor('gather', index);
  if (idx.rank !== x.rank) {
    throw new ShapeError(
      `gather: expected index of rank ${x.rank} like x ${fmtShape(x.shape)}, got ${fmtShape(idx.shape)}`,
    );
  }
  const a = normalizeAxis('gather', axis, Math.max(x.rank, 1));
  if (x.rank === 0) {
    // A 0-d gather is the 1-element one.
    checkRange('gather', idx, 1, 0, x.shape);
    return reshape(run(Gather, [reshape(x, [1]), reshape(idx, [1])], { axis: 0 }), []);
  }
  idx.shape.forEach((n, d) => {
    if (d !== a && n > x.shape[d]) {
      throw new ShapeError(
        `gather: index shape ${fmtShape(idx.shape)} is larger than x shape ${fmtShape(x.shape)} on dim ${d} (only dim ${a} may be)`,
      );
    }
  });
  checkRange('gather', idx, x.shape[a], a, x.shape);
  return run(Gather, [x, idx], { axis: a });
});

/** torch.index_select: the entries of x at the (1-D) `index` along `axis`, in index order. */
export const indexSelect = op((x: Tensor, axis: number, index: Tensor): Tensor => {
  assertTensor('indexSelect', x);
  const idx = indexTensor('indexSelect', index);
  if (x.rank === 0) throw new ShapeError('indexSelect: expected x of rank >= 1, got []');
  if (idx.rank > 1) throw new ShapeError(`indexSelect: expected index of rank 1, got ${fmtShape(idx.shape)}`);
  const a = normalizeAxis('indexSelect', axis, x.rank);
  checkRange('indexSelect', idx, x.shape[a], a, x.shape);
  // A gather whose index repeats the selection across every other dim.
  const k = idx.size;
  const outShape = x.shape.map((n, d) => (d === a ? k : n));
  const spread = expand(
    reshape(
      idx,
      x.shape.map((_, d) => (d === a ? k : 1)),
    ),
    outShape,
  );
  return run(Gather, [x, spread], { axis: a });
});

/**
 * torch.scatter_add (out-of-place): a copy of x with `src[..i..]` added at `x[..index[..i..]..]`,
 * the index substituted on `axis`. Only the part of src that index covers is used.
 */
export const scatterAdd = op((x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor => {
  assertTensor('scatterAdd', x);
  const idx = indexTensor('scatterAdd', index);
  assertTensor('scatterAdd', src, 'src');
  if (x.dtype === 'bool')
    throw new DTypeError('scatterAdd: expected x to be float32, float64 or int32, got bool');
  if (src.dtype !== x.dtype)
    throw new DTypeError(`scatterAdd: expected src of dtype ${x.dtype} like x, got ${src.dtype}`);
  if (idx.rank !== x.rank || src.rank !== x.rank) {
    throw new ShapeError(
      `scatterAdd: expected index and src of rank ${x.rank} like x ${fmtShape(x.shape)}, got index ${fmtShape(idx.shape)} and src ${fmtShape(src.shape)}`,
    );
  }
  const a = normalizeAxis('scatterAdd', axis, Math.max(x.rank, 1));
  if (x.rank === 0) {
    checkRange('scatterAdd', idx, 1, 0, x.shape);
    return add(
      x,
      reshape(run(ScatterAdd, [reshape(src, [1]), reshape(idx, [1])], { axis: 0, shape: [1] }), []),
    );
  }
  idx.shape.forEach((n, d) => {
    if (n > src.shape[d] || (d !== a && n > x.shape[d])) {
      throw new ShapeError(
        `scatterAdd: index shape ${fmtShape(idx.shape)} must fit in src ${fmtShape(src.shape)} on every dim and in x ${fmtShape(x.shape)} on every dim but ${a}; dim ${d} does not`,
      );
    }
  });
  checkRange('scatterAdd', idx, x.shape[a], a, x.shape);
  // Cut src down to the index's shape, so the kernel's gradient (a gather) has src's shape.
  const used = sliceBox(
    src,
    idx.shape.map(() => 0),
    idx.shape,
  );
  return add(x, run(ScatterAdd, [used, idx], { axis: a, shape: [...x.shape] }));
});

/**
 * torch.nn.functional.one_hot: a new last dim of `numClasses` with 1 at each index. numClasses
 * -1 infers max + 1. Not differentiable.
 */
export const oneHot = op((indices: Tensor, numClasses = -1, dtype: DType = 'float32'): Tensor => {
  const idx = indexTensor('oneHot', indices, 'indices');
  assertInt('oneHot', numClasses, 'numClasses');
  if (numClasses < 1 && numClasses !== -1) {
    throw new ValueError(`oneHot: numClasses must be positive (or -1 to infer it), got ${numClasses}`);
  }
  assertDTypeName('oneHot', dtype);
  const values = ENGINE.readSync(idx);
  let classes = numClasses;
  if (classes === -1) {
    if (idx.size === 0) throw new ValueError('oneHot: cannot infer numClasses from an empty tensor; pass it');
    classes = 0;
    for (let i = 0; i < values.length; i++) classes = Math.max(classes, values[i] + 1);
  }
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= classes) {
      throw new ValueError(`oneHot: class index ${values[i]} is out of range [0, ${classes})`);
    }
  }
  return cast(eq(unsqueeze(idx, -1), arange(0, classes, 1, 'int32')), dtype);
});

// ---- max / min along a dim ----

export interface ValuesAndIndices {
  values: Tensor;
  /** int32 positions along the reduced axis. */
  indices: Tensor;
}

/**
 * The winner along `axis` and its position. The values are gathered at the position, so the
 * gradient reaches only that one entry (the first on ties), as with torch.max(x, dim).
 */
function extremeDim(
  name: string,
  which: 'max' | 'min',
  x: Tensor,
  axis: number,
  keepDims: boolean,
): ValuesAndIndices {
  assertTensor(name, x);
  if (x.rank === 0) {
    normalizeAxis(name, axis, 1);
    const r = extremeDim(name, which, reshape(x, [1]), 0, false);
    return { values: reshape(r.values, []), indices: reshape(r.indices, []) };
  }
  const a = normalizeAxis(name, axis, x.rank);
  if (x.shape[a] === 0) {
    throw new ValueError(`${name}: cannot reduce over dim ${a} of size 0 (x shape ${fmtShape(x.shape)})`);
  }
  const indices = which === 'max' ? argmax(x, a, true) : argmin(x, a, true);
  const values = run(Gather, [x, indices], { axis: a });
  return keepDims ? { values, indices } : { values: squeeze(values, a), indices: squeeze(indices, a) };
}

/** torch.max(x, dim): the largest entry along `axis` and its (first) index. */
export const maxDim = op(
  (x: Tensor, axis: number, keepDims = false): ValuesAndIndices =>
    extremeDim('maxDim', 'max', x, axis, keepDims),
);

/** torch.min(x, dim): the smallest entry along `axis` and its (first) index. */
export const minDim = op(
  (x: Tensor, axis: number, keepDims = false): ValuesAndIndices =>
    extremeDim('minDim', 'min', x, axis, keepDims),
);

// ---- repetition ----

/**
 * torch.tile: repeats x `reps[i]` times along each dim. Shorter reps are padded with leading 1s;
 * longer ones give x leading size-1 dims. Built as a broadcast over interleaved size-1 dims, so
 * its gradient is a sum.
 */
export const tile = op((x: Tensor, reps: readonly number[]): Tensor => {
  assertTensor('tile', x);
  assertIntList('tile', reps, 'reps');
  if (reps.some((r) => r < 0))
    throw new ValueError(`tile: reps must be non-negative, got [${reps.join(', ')}]`);
  const rank = Math.max(x.rank, reps.length);
  const shape = [...new Array<number>(rank - x.rank).fill(1), ...x.shape];
  const rs = [...new Array<number>(rank - reps.length).fill(1), ...reps];
  if (rs.every((r) => r === 1)) return reshape(x, shape);
  const spread = reshape(
    x,
    shape.flatMap((n) => [1, n]),
  );
  const repeated = expand(
    spread,
    shape.flatMap((n, i) => [rs[i], n]),
  );
  return reshape(
    repeated,
    shape.map((n, i) => n * rs[i]),
  );
});
