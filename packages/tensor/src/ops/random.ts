import { assertDTypeName, type DType, isFloat } from '../dtype';
import { DTypeError, ValueError } from '../errors';
import { RandomFill } from '../kernels';
import { defaultGenerator, type Generator } from '../random/generator';
import { assertValidShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { add, cast, floor, lt, minimum, mul } from './elementwise';
import { op, run } from './util';

export interface RandomOptions {
  dtype?: DType;
  /** Defaults to the generator seeded by `manualSeed`. */
  generator?: Generator;
}

function fill(
  name: string,
  shape: readonly number[],
  dist: 'uniform' | 'normal',
  a: number,
  b: number,
  opts: RandomOptions,
): Tensor {
  const dtype = opts.dtype === undefined ? 'float32' : assertDTypeName(name, opts.dtype);
  assertValidShape(name, shape);
  if (!isFloat(dtype)) throw new DTypeError(`${name}: dtype must be float32 or float64, got ${dtype}`);
  const n = sizeOf(shape);
  const { seed, offset } = (opts.generator ?? defaultGenerator()).take(dist === 'normal' ? 2 * n : n);
  return run(RandomFill, [], { shape: [...shape], dtype, dist, seed, offset, a, b });
}

/** Uniform on [low, high). */
export const uniform = op((shape: readonly number[], low = 0, high = 1, opts: RandomOptions = {}): Tensor => {
  if (!(high >= low)) throw new ValueError(`uniform: high (${high}) must be >= low (${low})`);
  return fill('uniform', shape, 'uniform', low, high, opts);
});

/** Uniform on [0, 1). */
export const rand = op(
  (shape: readonly number[], opts: RandomOptions = {}): Tensor => fill('rand', shape, 'uniform', 0, 1, opts),
);

/** Normal with the given mean and standard deviation. */
export const normal = op((shape: readonly number[], mean = 0, std = 1, opts: RandomOptions = {}): Tensor => {
  if (!(std >= 0)) throw new ValueError(`normal: std must be >= 0, got ${std}`);
  return fill('normal', shape, 'normal', mean, std, opts);
});

/** Standard normal. */
export const randn = op(
  (shape: readonly number[], opts: RandomOptions = {}): Tensor => fill('randn', shape, 'normal', 0, 1, opts),
);

/** Integers uniform on [low, high), int32 unless `dtype` says otherwise. */
export const randint = op(
  (low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor => {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new ValueError(`randint: need integers low < high, got ${low}, ${high}`);
    }
    // floor(u * range) with u in [0, 1) drawn as float32 (every backend has it), clamped because
    // the float32 product can round up to `range` itself; exact for ranges up to 2^24.
    if (opts.dtype !== undefined) assertDTypeName('randint', opts.dtype);
    const range = high - low;
    const u = fill('randint', shape, 'uniform', 0, 1, { generator: opts.generator });
    return cast(add(minimum(floor(mul(u, range)), range - 1), low), opts.dtype ?? 'int32');
  },
);

/** 1 with probability p (a number or a tensor of probabilities), else 0. */
export const bernoulli = op(
  (p: number | Tensor, shape?: readonly number[], opts: RandomOptions = {}): Tensor => {
    if (opts.dtype !== undefined) assertDTypeName('bernoulli', opts.dtype);
    if (typeof p === 'number') {
      if (!(p >= 0 && p <= 1)) throw new ValueError(`bernoulli: p must be in [0, 1], got ${p}`);
      if (!shape) throw new ValueError('bernoulli: a shape is required when p is a number');
      return cast(lt(rand(shape, { generator: opts.generator }), p), opts.dtype ?? 'float32');
    }
    const u = rand(p.shape, { generator: opts.generator, dtype: isFloat(p.dtype) ? p.dtype : 'float32' });
    return cast(lt(u, p), opts.dtype ?? (isFloat(p.dtype) ? p.dtype : 'float32'));
  },
);
