/**
 * Initializers, as in torch.nn.init, each returning a new tensor of `shape` drawn from the seeded
 * default generator (or `opts.generator`). Fans follow torch: for a weight [out, in, ...kernel],
 * fanIn = in · prod(kernel) and fanOut = out · prod(kernel).
 */

import type { Tensor } from '@axon/tensor';
import { type DType, full, type Generator, normal, tensor, uniform, ValueError } from '@axon/tensor';

export interface InitOptions {
  dtype?: DType;
  generator?: Generator;
}

export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new ValueError(
      `init: fan in and fan out need a tensor of rank >= 2, got shape [${shape.join(', ')}]`,
    );
  }
  const receptive = shape.slice(2).reduce((n, d) => n * d, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** torch.nn.init.calculate_gain. */
export function gain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
  }
}

export const zeros = (shape: readonly number[], opts: InitOptions = {}): Tensor => full(shape, 0, opts.dtype);
export const ones = (shape: readonly number[], opts: InitOptions = {}): Tensor => full(shape, 1, opts.dtype);
export const constant = (shape: readonly number[], value: number, opts: InitOptions = {}): Tensor =>
  full(shape, value, opts.dtype);

export function uniformInit(
  shape: readonly number[],
  low: number,
  high: number,
  opts: InitOptions = {},
): Tensor {
  return uniform(shape, low, high, opts);
}

export function normalInit(
  shape: readonly number[],
  mean: number,
  std: number,
  opts: InitOptions = {},
): Tensor {
  return normal(shape, mean, std, opts);
}

/** Glorot/Xavier uniform: U(-a, a), a = gain · sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(shape: readonly number[], g = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const a = g * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -a, a, opts);
}

/** Glorot/Xavier normal: N(0, gain² · 2 / (fanIn + fanOut)). */
export function xavierNormal(shape: readonly number[], g = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  return normal(shape, 0, g * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope for leaky_relu (torch's `a`). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

/** He/Kaiming uniform: U(-b, b), b = gain · sqrt(3 / fan). torch's defaults: a = 0, fanIn, leaky_relu. */
export function kaimingUniform(shape: readonly number[], opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(shape, opts);
  return uniform(shape, -Math.sqrt(3) * std, Math.sqrt(3) * std, opts);
}

/** He/Kaiming normal: N(0, (gain / sqrt(fan))²). */
export function kaimingNormal(shape: readonly number[], opts: KaimingOptions = {}): Tensor {
  return normal(shape, 0, kaimingStd(shape, opts), opts);
}

function kaimingStd(shape: readonly number[], opts: KaimingOptions): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leaky_relu' } = opts;
  const f = fans(shape);
  return gain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? f.fanIn : f.fanOut);
}

/** LeCun uniform: U(-sqrt(3 / fanIn), sqrt(3 / fanIn)). */
export function lecunUniform(shape: readonly number[], opts: InitOptions = {}): Tensor {
  const b = Math.sqrt(3 / fans(shape).fanIn);
  return uniform(shape, -b, b, opts);
}

/** LeCun normal: N(0, 1 / fanIn). */
export function lecunNormal(shape: readonly number[], opts: InitOptions = {}): Tensor {
  return normal(shape, 0, Math.sqrt(1 / fans(shape).fanIn), opts);
}

/**
 * A (semi-)orthogonal matrix, as torch.nn.init.orthogonal_: the Q of a QR decomposition of a
 * normal matrix (rows × cols, rows = shape[0], cols = the rest), with signs fixed so that R has a
 * positive diagonal, times `gain`. Computed on the host by modified Gram–Schmidt in float64.
 */
export function orthogonal(shape: readonly number[], g = 1, opts: InitOptions = {}): Tensor {
  if (shape.length < 2)
    throw new ValueError(`orthogonal: needs a tensor of rank >= 2, got [${shape.join(', ')}]`);
  const rows = shape[0];
  const cols = shape.slice(1).reduce((n, d) => n * d, 1);
  const tall = rows >= cols;
  // Orthonormalise the k = min(rows, cols) columns of an n × k normal matrix (n = max).
  const n = tall ? rows : cols;
  const k = tall ? cols : rows;
  const src = normal([n, k], 0, 1, { dtype: 'float64', generator: opts.generator });
  const a = Float64Array.from(src.dataSync());
  src.dispose();
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * k + p] * a[i * k + j];
      for (let i = 0; i < n; i++) a[i * k + j] -= dot * a[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * k + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * k + j] /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = g * (tall ? a[r * k + c] : a[c * k + r]);
  }
  return tensor(out, { shape, dtype: opts.dtype ?? 'float32' });
}
