/**
 * Normalization layers, after torch.nn: BatchNorm1d, BatchNorm2d and LayerNorm, each over a
 * functional core (`batchNorm`, `layerNorm` in `functional/normalization.ts`).
 */

import { noGrad } from '@axon/autograd';
import { add, assign, fmtShape, full, ShapeError, type Tensor, tidy, ValueError } from '@axon/tensor';
import { reserveElements } from '../allocation';
import { batchNorm, checkNormalizedShape, layerNorm } from '../functional/normalization';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';

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
    reserveElements(name, [
      ...(affine ? [[numFeatures], [numFeatures]] : []),
      ...(trackRunningStats ? [[numFeatures], [numFeatures], []] : []),
    ]);
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
      reserveElements('LayerNorm', bias ? [shape, shape] : [shape]);
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
