import type { DType, Tensor, TensorLike } from '@axon/tensor';
import * as tensorExports from '@axon/tensor';

/**
 * The agreed public API of the ops the mappings call that are being written at the same time as
 * this runner. They are declared here, rather than taken from '@axon/tensor''s types, so that the
 * mappings type-check before every op exists; whether an op is there is found out at run time.
 * Ops already exported (add, sum, matmul, reshape, ...) keep their real types.
 */
export interface AgreedOps {
  // movement
  slice(x: Tensor, starts: (number | null)[], ends?: (number | null)[], steps?: number[]): Tensor;
  concat(xs: Tensor[], axis?: number): Tensor;
  stack(xs: Tensor[], axis?: number): Tensor;
  gather(x: Tensor, axis: number, index: Tensor): Tensor;
  indexSelect(x: Tensor, axis: number, index: Tensor): Tensor;
  maxDim(x: Tensor, axis: number, keepDims?: boolean): { values: Tensor; indices: Tensor };
  minDim(x: Tensor, axis: number, keepDims?: boolean): { values: Tensor; indices: Tensor };
  // conv
  conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor;
  convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvTranspose2dOptions): Tensor;
  // pool and upsample
  maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor;
  maxPool2dWithIndices(x: Tensor, opts: Pool2dOptions): { values: Tensor; indices: Tensor };
  avgPool2d(x: Tensor, opts: Pool2dOptions & { countIncludePad?: boolean }): Tensor;
  globalAvgPool2d(x: Tensor): Tensor;
  upsample(x: Tensor, opts: UpsampleOptions): Tensor;
  // activations
  step(x: Tensor): Tensor;
  heaviside(x: Tensor, valueAtZero: number): Tensor;
  sigmoid(x: Tensor): Tensor;
  tanh(x: Tensor): Tensor;
  relu(x: Tensor): Tensor;
  leakyRelu(x: Tensor, alpha?: number): Tensor;
  elu(x: Tensor, alpha?: number): Tensor;
  gelu(x: Tensor, approximate?: 'none' | 'tanh'): Tensor;
  softplus(x: Tensor, beta?: number, threshold?: number): Tensor;
  softmax(x: Tensor, axis?: number): Tensor;
  logSoftmax(x: Tensor, axis?: number): Tensor;
  // losses
  mse(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor;
  crossEntropy(
    logits: Tensor,
    target: Tensor,
    opts?: { weight?: Tensor; reduction?: Reduction; labelSmoothing?: number; ignoreIndex?: number },
  ): Tensor;
  nll(
    logProbs: Tensor,
    target: Tensor,
    opts?: { weight?: Tensor; reduction?: Reduction; ignoreIndex?: number },
  ): Tensor;
  binaryCrossEntropy(
    probs: Tensor,
    target: Tensor,
    opts?: { weight?: Tensor; reduction?: Reduction },
  ): Tensor;
  binaryCrossEntropyWithLogits(
    logits: Tensor,
    target: Tensor,
    opts?: { weight?: Tensor; posWeight?: Tensor; reduction?: Reduction },
  ): Tensor;
  klDivGaussian(mu: Tensor, logVar: Tensor, opts?: { reduction?: 'sum' | 'mean' | 'batchmean' }): Tensor;
  hinge(input: Tensor, target: Tensor, opts?: { margin?: number; reduction?: Reduction }): Tensor;
  multiMargin(
    input: Tensor,
    target: Tensor,
    opts?: { p?: 1 | 2; margin?: number; weight?: Tensor; reduction?: Reduction },
  ): Tensor;
}

export type Reduction = 'none' | 'mean' | 'sum';
export type Pair = number | [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export interface Pool2dOptions {
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair;
}

export interface UpsampleOptions {
  size?: [number, number];
  scaleFactor?: number | [number, number];
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

export type { DType, Tensor, TensorLike };

/** Thrown when a mapping reaches for an export that does not exist (yet): the case is skipped. */
export class MissingExport extends Error {
  constructor(
    readonly pkg: string,
    readonly exportName: string,
  ) {
    super(`'${pkg}' does not export '${exportName}'`);
    this.name = 'MissingExport';
  }
}

/**
 * A view of a module's exports that throws `MissingExport` instead of handing back `undefined`,
 * so that `ax.conv2d(...)` skips the case while conv2d is not written yet. Future mappings that
 * need other packages (@axon/layers, @axon/optim) wrap them the same way.
 */
export function guardExports<T>(pkg: string, exports: object): T {
  return new Proxy(exports, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      // `then` is probed by `await`; a module has none, and that must not read as a missing op.
      if (value === undefined && typeof prop === 'string' && prop !== 'then')
        throw new MissingExport(pkg, prop);
      return value;
    },
  }) as T;
}

/** '@axon/tensor' as the mappings see it. */
export const ax = guardExports<Omit<typeof tensorExports, keyof AgreedOps> & AgreedOps>(
  '@axon/tensor',
  tensorExports,
);
