/**
 * Normalization layers, after torch.nn: BatchNorm1d, BatchNorm2d and LayerNorm, each over a
 * functional core (`batchNorm`, `layerNorm`) written with public tensor ops, so that gradients
 * flow through the batch statistics on every backend.
 */

import { noGrad } from '@axon/autograd';
import {
  add,
  assign,
  cast,
  DTypeError,
  div,
  fmtShape,
  full,
  isFloat,
  mean,
  mul,
  op,
  reshape,
  ShapeError,
  sqrt,
  square,
  sub,
  type Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';

// ---------------------------------------------------------------------------------------------
// Functional cores
// ---------------------------------------------------------------------------------------------

export interface BatchNormOptions {
  /**
   * Use the batch statistics (and update the running ones, when given). False uses the running
   * statistics, which are then required. Default false, as torch.nn.functional.batch_norm.
   */
  training?: boolean;
  /** Weight of the new batch statistic in the running average. Default 0.1. */
  momentum?: number;
  /** Added to the variance inside the square root. Default 1e-5. */
  eps?: number;
}

function checkFloat(name: string, what: string, t: Tensor): void {
  if (!isFloat(t.dtype))
    throw new DTypeError(`${name}: expected '${what}' to be float32 or float64, got ${t.dtype}`);
}

function checkVector(name: string, what: string, t: Tensor | null | undefined, c: number): void {
  if (!t) return;
  checkFloat(name, what, t);
  if (t.rank !== 1 || t.shape[0] !== c) {
    throw new ShapeError(`${name}: expected '${what}' of shape [${c}], got ${fmtShape(t.shape)}`);
  }
}

/**
 * torch.nn.functional.batch_norm: normalises `x` ([N, C, ...]) per channel (axis 1).
 *
 * Training: mean and biased variance over every axis except C; y = (x − mean) / √(var + eps) ·
 * weight + bias; the gradient flows through the batch statistics. When `runningMean` and
 * `runningVar` are given they are updated in place (without recording gradients):
 * running_mean ← (1 − m)·running_mean + m·mean, running_var ← (1 − m)·running_var + m·var·n/(n − 1)
 * (the unbiased variance, n = values per channel).
 *
 * Eval (`training: false`): y = (x − running_mean) / √(running_var + eps) · weight + bias.
 */
export const batchNorm = op(
  (
    x: Tensor,
    runningMean: Tensor | null,
    runningVar: Tensor | null,
    weight: Tensor | null = null,
    bias: Tensor | null = null,
    options: BatchNormOptions = {},
  ): Tensor => {
    const name = 'batchNorm';
    const { training = false, momentum = 0.1, eps = 1e-5 } = options;
    checkFloat(name, 'x', x);
    if (x.rank < 2) throw new ShapeError(`${name}: expected input [N, C, ...], got ${fmtShape(x.shape)}`);
    const c = x.shape[1];
    checkVector(name, 'runningMean', runningMean, c);
    checkVector(name, 'runningVar', runningVar, c);
    checkVector(name, 'weight', weight, c);
    checkVector(name, 'bias', bias, c);
    if ((runningMean === null) !== (runningVar === null)) {
      throw new ValueError(`${name}: give both runningMean and runningVar, or neither`);
    }
    if (!Number.isFinite(momentum) || !Number.isFinite(eps) || eps < 0) {
      throw new ValueError(
        `${name}: momentum and eps must be finite numbers (eps >= 0), got ${momentum}, ${eps}`,
      );
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    const n = x.size / Math.max(c, 1);

    let mu: Tensor;
    let variance: Tensor;
    if (training) {
      if (n <= 1) {
        throw new ValueError(
          `${name}: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`,
        );
      }
      mu = mean(x, axes, true);
      variance = mean(square(sub(x, mu)), axes, true);
      if (runningMean && runningVar) {
        const rm = runningMean;
        const rv = runningVar;
        const batchMean = mu;
        const batchVar = variance;
        noGrad(() =>
          tidy(() => {
            const m = reshape(batchMean, [c]);
            const v = mul(reshape(batchVar, [c]), n / (n - 1));
            assign(rm, cast(add(mul(rm, 1 - momentum), mul(m, momentum)), rm.dtype));
            assign(rv, cast(add(mul(rv, 1 - momentum), mul(v, momentum)), rv.dtype));
          }),
        );
      }
    } else {
      if (!runningMean || !runningVar) {
        throw new ValueError(`${name}: runningMean and runningVar are required when not training`);
      }
      mu = reshape(runningMean, bshape);
      variance = reshape(runningVar, bshape);
    }
    let y = div(sub(x, mu), sqrt(add(variance, eps)));
    if (weight) y = mul(y, reshape(weight, bshape));
    if (bias) y = add(y, reshape(bias, bshape));
    return y;
  },
);

/**
 * torch.nn.functional.layer_norm: normalises over the trailing `normalizedShape` dims (biased
 * variance, eps inside the square root), then y · weight + bias (both of shape normalizedShape).
 */
export const layerNorm = op(
  (
    x: Tensor,
    normalizedShape: number | readonly number[],
    weight: Tensor | null = null,
    bias: Tensor | null = null,
    eps = 1e-5,
  ): Tensor => {
    const name = 'layerNorm';
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    checkFloat(name, 'x', x);
    checkNormalizedShape(name, shape);
    const k = shape.length;
    if (x.rank < k || x.shape.slice(x.rank - k).join() !== shape.join()) {
      throw new ShapeError(`${name}: expected input [..., ${shape.join(', ')}], got ${fmtShape(x.shape)}`);
    }
    for (const [what, t] of [
      ['weight', weight],
      ['bias', bias],
    ] as const) {
      if (!t) continue;
      checkFloat(name, what, t);
      if (t.shape.join() !== shape.join()) {
        throw new ShapeError(
          `${name}: expected '${what}' of shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`,
        );
      }
    }
    if (!Number.isFinite(eps) || eps < 0)
      throw new ValueError(`${name}: eps must be a finite number >= 0, got ${eps}`);
    const axes = shape.map((_, i) => x.rank - k + i);
    const mu = mean(x, axes, true);
    const centered = sub(x, mu);
    const variance = mean(square(centered), axes, true);
    let y = div(centered, sqrt(add(variance, eps)));
    if (weight) y = mul(y, weight);
    if (bias) y = add(y, bias);
    return y;
  },
);

function checkNormalizedShape(name: string, shape: readonly number[]): void {
  if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(
      `${name}: normalizedShape must be one or more positive integers, got [${shape.join(', ')}]`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Modules
// ---------------------------------------------------------------------------------------------

export interface BatchNormLayerOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Weight of each new batch in the running statistics; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learnable per-channel weight (ones) and bias (zeros). Default true. */
  affine?: boolean;
  /**
   * Keep running_mean / running_var / num_batches_tracked buffers, used in eval mode. When false,
   * batch statistics are used in both modes. Default true.
   */
  trackRunningStats?: boolean;
}

/**
 * The shared body of BatchNorm1d and BatchNorm2d (torch's _BatchNorm): parameters `weight`,
 * `bias` and buffers `running_mean`, `running_var`, `num_batches_tracked` (int32 here), with
 * torch's names and initial values (1, 0, 0, 1, 0).
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null = null;
  readonly bias: Tensor | null = null;
  readonly runningMean: Tensor | null = null;
  readonly runningVar: Tensor | null = null;
  readonly numBatchesTracked: Tensor | null = null;

  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = options;
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new ValueError(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    if (!Number.isFinite(eps) || eps < 0)
      throw new ValueError(`${name}: eps must be a finite number >= 0, got ${eps}`);
    if (momentum !== null && !Number.isFinite(momentum)) {
      throw new ValueError(`${name}: momentum must be a finite number or null, got ${momentum}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    if (affine) {
      this.weight = this.addParameter('weight', full([numFeatures], 1));
      this.bias = this.addParameter('bias', full([numFeatures], 0));
    }
    if (trackRunningStats) {
      this.runningMean = this.addBuffer('running_mean', full([numFeatures], 0));
      this.runningVar = this.addBuffer('running_var', full([numFeatures], 1));
      this.numBatchesTracked = this.addBuffer('num_batches_tracked', full([], 0, 'int32'));
    }
  }

  /** Throws unless `x` has the layout this layer takes. */
  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      const nbt = this.numBatchesTracked;
      noGrad(() => tidy(() => assign(nbt, add(nbt, 1))));
      if (this.momentum === null) factor = 1 / nbt.item();
    }
    // Batch statistics in training mode, and always when no running statistics are tracked (the
    // running ones are then null, so nothing is updated).
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || !this.trackRunningStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  /** Running mean 0, running variance 1, no batches tracked. */
  resetRunningStats(): void {
    tidy(() => {
      if (this.runningMean) assign(this.runningMean, full([this.numFeatures], 0));
      if (this.runningVar) assign(this.runningVar, full([this.numFeatures], 1));
      if (this.numBatchesTracked) assign(this.numBatchesTracked, full([], 0, 'int32'));
    });
  }

  override config(): LayerConfig {
    return {
      numFeatures: this.numFeatures,
      eps: this.eps,
      momentum: this.momentum,
      affine: this.affine,
      trackRunningStats: this.trackRunningStats,
    };
  }
}

function batchNormOptionsOf(config: LayerConfig): BatchNormLayerOptions {
  return {
    eps: config.eps as number | undefined,
    momentum: config.momentum as number | null | undefined,
    affine: config.affine as boolean | undefined,
    trackRunningStats: config.trackRunningStats as boolean | undefined,
  };
}

function checkChannels(layer: string, x: Tensor, c: number, ranks: number[], layouts: string[]): void {
  if (!ranks.includes(x.rank) || x.shape[1] !== c) {
    throw new ShapeError(`${layer}: expected input ${layouts.join(' or ')}, got ${fmtShape(x.shape)}`);
  }
}

/** torch.nn.BatchNorm1d: input [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    const c = this.numFeatures;
    checkChannels('BatchNorm1d', x, c, [2, 3], [`[N, ${c}]`, `[N, ${c}, L]`]);
  }

  static fromConfig(config: LayerConfig): BatchNorm1d {
    return new BatchNorm1d(config.numFeatures as number, batchNormOptionsOf(config));
  }
}

/** torch.nn.BatchNorm2d: input [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    checkChannels('BatchNorm2d', x, this.numFeatures, [4], [`[N, ${this.numFeatures}, H, W]`]);
  }

  static fromConfig(config: LayerConfig): BatchNorm2d {
    return new BatchNorm2d(config.numFeatures as number, batchNormOptionsOf(config));
  }
}

export interface LayerNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learnable `weight` (ones) and, with `bias`, `bias` (zeros), of shape normalizedShape. Default true. */
  elementwiseAffine?: boolean;
  /** Learn a bias too (only with elementwiseAffine). Default true. */
  bias?: boolean;
}

/** torch.nn.LayerNorm: normalises over the trailing `normalizedShape` dims of its input. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly useBias: boolean;
  readonly weight: Tensor | null = null;
  readonly bias: Tensor | null = null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true } = options;
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    checkNormalizedShape('LayerNorm', shape);
    if (!Number.isFinite(eps) || eps < 0)
      throw new ValueError(`LayerNorm: eps must be a finite number >= 0, got ${eps}`);
    this.normalizedShape = shape;
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.useBias = bias;
    if (elementwiseAffine) {
      this.weight = this.addParameter('weight', full(shape, 1));
      if (bias) this.bias = this.addParameter('bias', full(shape, 0));
    }
  }

  forward(x: Tensor): Tensor {
    const shape = this.normalizedShape;
    const k = shape.length;
    if (x.rank < k || x.shape.slice(x.rank - k).join() !== shape.join()) {
      throw new ShapeError(`LayerNorm: expected input [..., ${shape.join(', ')}], got ${fmtShape(x.shape)}`);
    }
    return layerNorm(x, shape, this.weight, this.bias, this.eps);
  }

  override config(): LayerConfig {
    return {
      normalizedShape: [...this.normalizedShape],
      eps: this.eps,
      elementwiseAffine: this.elementwiseAffine,
      bias: this.useBias,
    };
  }

  static fromConfig(config: LayerConfig): LayerNorm {
    return new LayerNorm(config.normalizedShape as number[], {
      eps: config.eps as number | undefined,
      elementwiseAffine: config.elementwiseAffine as boolean | undefined,
      bias: config.bias as boolean | undefined,
    });
  }
}

registerLayer('BatchNorm1d', BatchNorm1d);
registerLayer('BatchNorm2d', BatchNorm2d);
registerLayer('LayerNorm', LayerNorm);
