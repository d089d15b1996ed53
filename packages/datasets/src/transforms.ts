import {
  checkPositiveInt,
  DTypeError,
  describeValue,
  div,
  fmtShape,
  isFloat,
  mean as meanOf,
  oneHot as oneHotOp,
  reshape,
  ShapeError,
  scalar,
  std as stdOf,
  sub,
  Tensor,
  tensor,
  tidy,
  ValueError,
  where,
} from '@axon/tensor';

/**
 * (x - mean) / std. `mean` and `std` are numbers, or one number per channel (axis 1, so for
 * NCHW images: per colour channel), or tensors that broadcast against x. Returns float (x's float
 * dtype, else float32). MNIST's usual constants: `normalize(x, 0.1307, 0.3081)`.
 */
export function normalize(
  x: Tensor,
  mean: number | readonly number[] | Tensor,
  std: number | readonly number[] | Tensor,
): Tensor {
  checkTensor('normalize', x);
  return tidy(() => {
    const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
    const m = stat('normalize', 'mean', x, mean, dtype);
    const s = stat('normalize', 'std', x, std, dtype);
    const values = s.dataSync();
    for (let i = 0; i < values.length; i++) {
      if (!(values[i] !== 0 && Number.isFinite(values[i]))) {
        throw new ValueError(`normalize: std must be finite and non-zero, got ${values[i]}`);
      }
    }
    return div(sub(x, m), s);
  });
}

function stat(
  what: string,
  name: string,
  x: Tensor,
  v: number | readonly number[] | Tensor,
  dtype: 'float32' | 'float64',
): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValueError(`${what}: ${name} must be finite, got ${v}`);
    return scalar(v, dtype);
  }
  if (Array.isArray(v)) {
    if (x.rank < 2 || v.length !== x.shape[1]) {
      throw new ShapeError(
        `${what}: ${v.length} per-channel ${name} values need x with ${v.length} channels on axis 1, got x ${fmtShape(x.shape)}`,
      );
    }
    if (!v.every(Number.isFinite)) throw new ValueError(`${what}: ${name} values must be finite`);
    return reshape(
      tensor([...v], dtype),
      x.shape.map((n, d) => (d === 1 ? n : 1)),
    );
  }
  throw new ValueError(`${what}: ${name} must be a number, an array or a Tensor, got ${describeValue(v)}`);
}

/**
 * Zero mean, unit (population) standard deviation: statistics over all of x, or over `axis`
 * (e.g. 0 standardizes each feature of an [N, F] matrix across samples). A constant slice is only
 * centred (its std is taken as 1).
 */
export function standardize(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('standardize', x);
  if (x.size === 0) throw new ValueError(`standardize: x ${fmtShape(x.shape)} is empty`);
  return tidy(() => {
    const xf = isFloat(x.dtype) ? x : x.cast('float32');
    const m = meanOf(xf, axis ?? null, true);
    const s = stdOf(xf, axis ?? null, { correction: 0, keepDims: true });
    return div(sub(xf, m), where(s.eq(0), 1, s));
  });
}

/** Class indices (int32, any shape) to float32 one-hot vectors [..., numClasses]. */
export function oneHot(y: Tensor, numClasses: number): Tensor {
  checkTensor('oneHot', y);
  if (y.dtype !== 'int32') {
    throw new DTypeError(`oneHot: expected int32 class indices, got ${y.dtype}`);
  }
  checkPositiveInt('oneHot', 'numClasses', numClasses);
  return oneHotOp(y, numClasses, 'float32');
}

/** Images [N, ...] (e.g. [N, 1, 28, 28]) to rows [N, features] (e.g. [N, 784]). */
export function flattenImages(x: Tensor): Tensor {
  checkTensor('flattenImages', x);
  if (x.rank < 2) {
    throw new ShapeError(`flattenImages: expected x of rank >= 2 ([N, ...]), got ${fmtShape(x.shape)}`);
  }
  return reshape(x, [x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)]);
}

function checkTensor(what: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${what}: expected a Tensor, got ${describeValue(x)}`);
  if (x.isDisposed) throw new ValueError(`${what}: the tensor is disposed`);
}
