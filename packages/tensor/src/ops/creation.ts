import { allocate, assertDTypeName, type DType, dtypeOfArray, type TypedArray, toTypedArray } from '../dtype';
import { fmtShape, ShapeError, ValueError } from '../errors';
import { ENGINE } from '../global_engine';
import { assertValidShape, sizeOf } from '../shape';
import type { NestedArray, Tensor } from '../tensor';

/** A creation op's dtype: the name, or torch-style options (`ones([2], { dtype: 'int32' })`). */
export type DTypeArg = DType | { dtype?: DType };

/** Resolves and checks a `DTypeArg` (an unknown name is a DTypeError naming `op`). */
export function dtypeArg(op: string, arg: DTypeArg | undefined | null, fallback: DType): DType {
  if (arg === undefined || arg === null) return fallback;
  if (typeof arg === 'object') return arg.dtype === undefined ? fallback : assertDTypeName(op, arg.dtype);
  return assertDTypeName(op, arg);
}

export interface CreateOptions {
  dtype?: DType;
  /** Only for flat data (a typed array or a flat list): the shape to give it. */
  shape?: readonly number[];
}

/**
 * Makes a tensor from a number, nested arrays (numbers or booleans) or a typed array. The dtype
 * is the typed array's, `bool` for booleans, else float32, unless `dtype` says otherwise.
 */
export function tensor(data: NestedArray | TypedArray, options: CreateOptions | DType = {}): Tensor {
  const opts: CreateOptions = typeof options === 'string' ? { dtype: options } : options;
  if (opts.dtype !== undefined) assertDTypeName('tensor', opts.dtype);
  let values: ArrayLike<number>;
  let shape: number[];
  let inferred: DType = 'float32';
  if (ArrayBuffer.isView(data)) {
    values = data as TypedArray;
    shape = [values.length];
    inferred = dtypeOfArray(data as TypedArray);
  } else {
    shape = inferShape(data);
    const flat: number[] = [];
    let sawBool = false;
    flatten(data, shape, 0, flat, (b) => (sawBool ||= b));
    values = flat;
    if (sawBool) inferred = 'bool';
  }
  if (opts.shape) {
    assertValidShape('tensor', opts.shape);
    if (sizeOf(opts.shape) !== values.length) {
      throw new ShapeError(
        `tensor: shape ${fmtShape(opts.shape)} holds ${sizeOf(opts.shape)} values, but ${values.length} were given`,
      );
    }
    shape = [...opts.shape];
  }
  const dtype = opts.dtype ?? inferred;
  return ENGINE.makeTensor(toTypedArray(values, dtype), shape, dtype);
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flatten(
  data: NestedArray,
  shape: number[],
  dim: number,
  out: number[],
  onBool: (isBool: boolean) => void,
): void {
  if (dim === shape.length) {
    if (typeof data === 'boolean') {
      onBool(true);
      out.push(data ? 1 : 0);
    } else if (typeof data === 'number') out.push(data);
    else
      throw new ValueError(
        `tensor: expected a number or boolean, got ${Array.isArray(data) ? 'an array' : typeof data}`,
      );
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new ShapeError(
      `tensor: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(data) ? data.length : 'a scalar'}`,
    );
  }
  for (const v of data) flatten(v, shape, dim + 1, out, onBool);
}

export function scalar(value: number, dtype: DTypeArg = 'float32'): Tensor {
  const dt = dtypeArg('scalar', dtype, 'float32');
  return ENGINE.makeTensor(toTypedArray([value], dt), [], dt);
}

function filled(op: string, shape: readonly number[], value: number, dtype: DTypeArg | undefined): Tensor {
  const dt = dtypeArg(op, dtype, 'float32');
  assertValidShape(op, shape);
  const values = allocate(dt, sizeOf(shape));
  if (value !== 0) values.fill(dt === 'bool' ? (value ? 1 : 0) : dt === 'int32' ? Math.trunc(value) : value);
  return ENGINE.makeTensor(values, [...shape], dt);
}

export function full(shape: readonly number[], value: number, dtype: DTypeArg = 'float32'): Tensor {
  return filled('full', shape, value, dtype);
}

export function zeros(shape: readonly number[], dtype: DTypeArg = 'float32'): Tensor {
  return filled('zeros', shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DTypeArg = 'float32'): Tensor {
  return filled('ones', shape, 1, dtype);
}

export function zerosLike(x: Tensor): Tensor {
  return full(x.shape, 0, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  return full(x.shape, 1, x.dtype);
}

export function fullLike(x: Tensor, value: number): Tensor {
  return full(x.shape, value, x.dtype);
}

/**
 * Values from `start` (inclusive) to `stop` (exclusive) by `step`, as torch.arange. With one
 * argument it counts from 0. Integer arguments give int32, others float32.
 */
export function arange(start: number, stop?: number, step = 1, dtype?: DTypeArg): Tensor {
  const given = dtypeArg('arange', dtype, 'float32');
  const explicit = dtype !== undefined && (typeof dtype === 'string' || dtype.dtype !== undefined);
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dt = explicit ? given : [start, stop, step].every(Number.isInteger) ? 'int32' : 'float32';
  const values = allocate(dt, n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return ENGINE.makeTensor(values, [n], dt);
}

/** `num` evenly spaced values from `start` to `stop`, both included. */
export function linspace(start: number, stop: number, num: number, dtype: DTypeArg = 'float32'): Tensor {
  const dt = dtypeArg('linspace', dtype, 'float32');
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const values = allocate(dt, num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) values[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return ENGINE.makeTensor(values, [num], dt);
}

/** An n×m matrix with ones on the diagonal. */
export function eye(n: number, m: number | DTypeArg = n, dtype: DTypeArg = 'float32'): Tensor {
  // eye(n, { dtype }) / eye(n, 'int32') as well as eye(n, m, dtype)
  if (typeof m !== 'number') return eye(n, n, m);
  const dt = dtypeArg('eye', dtype, 'float32');
  assertValidShape('eye', [n, m]);
  const values = allocate(dt, n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return ENGINE.makeTensor(values, [n, m], dt);
}
