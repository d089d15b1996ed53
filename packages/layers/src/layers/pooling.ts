/**
 * Pooling and resizing modules. Their functional cores are @axon/tensor's `maxPool2d`,
 * `minPool2d`, `avgPool2d` and `upsample` (torch.nn.functional semantics, floor mode).
 */
import {
  avgPool2d,
  fmtShape,
  maxPool2d,
  minPool2d,
  type Pair,
  type Pool2dOptions,
  ShapeError,
  type Tensor,
  type UpsampleOptions,
  upsample,
  ValueError,
} from '@axon/tensor';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkBool, checkPair, checkTensor, pairJson, pairValues, show, withBatch } from './conv_args';

export interface PoolLayerOptions {
  /** Defaults to kernelSize. */
  stride?: Pair;
  /** Implicit padding on each side, at most half the kernel (default 0). */
  padding?: Pair;
}

export interface AvgPoolLayerOptions extends PoolLayerOptions {
  /** Whether padded cells count in the divisor (default true, like torch). */
  countIncludePad?: boolean;
}

/** The shared part of the three 2-D pooling modules. */
abstract class Pool2dBase extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;

  constructor(
    protected readonly layer: string,
    kernelSize: Pair,
    options: PoolLayerOptions,
  ) {
    super();
    this.kernelSize = checkPair(layer, 'kernelSize', kernelSize, 1);
    this.stride = checkPair(layer, 'stride', options.stride ?? kernelSize, 1);
    this.padding = checkPair(layer, 'padding', options.padding ?? 0, 0);
    const k = pairValues(this.kernelSize);
    if (pairValues(this.padding).some((p, i) => p > k[i] / 2)) {
      throw new ValueError(
        `${layer}: padding ${show(this.padding)} must be at most half of kernelSize ${show(this.kernelSize)}`,
      );
    }
  }

  protected abstract pool(x: Tensor, opts: Pool2dOptions): Tensor;

  forward(x: Tensor): Tensor {
    checkTensor(this.layer, x);
    const opts = { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
    return withBatch(this.layer, x, '[N, C, H, W]', (x4) => this.pool(x4, opts));
  }

  override config(): LayerConfig {
    return {
      kernelSize: pairJson(this.kernelSize),
      stride: pairJson(this.stride),
      padding: pairJson(this.padding),
    };
  }
}

/** torch.nn.MaxPool2d(kernelSize, {stride, padding}) over [N, C, H, W] or [C, H, W]. */
export class MaxPool2d extends Pool2dBase {
  constructor(kernelSize: Pair, options: PoolLayerOptions = {}) {
    super('MaxPool2d', kernelSize, options);
  }

  protected pool(x: Tensor, opts: Pool2dOptions): Tensor {
    return maxPool2d(x, opts);
  }

  static fromConfig(c: LayerConfig): MaxPool2d {
    return new MaxPool2d(c.kernelSize as Pair, {
      stride: c.stride as Pair | undefined,
      padding: c.padding as Pair | undefined,
    });
  }
}

/** Min pooling: the smallest value of each window (padding never wins). */
export class MinPool2d extends Pool2dBase {
  constructor(kernelSize: Pair, options: PoolLayerOptions = {}) {
    super('MinPool2d', kernelSize, options);
  }

  protected pool(x: Tensor, opts: Pool2dOptions): Tensor {
    return minPool2d(x, opts);
  }

  static fromConfig(c: LayerConfig): MinPool2d {
    return new MinPool2d(c.kernelSize as Pair, {
      stride: c.stride as Pair | undefined,
      padding: c.padding as Pair | undefined,
    });
  }
}

/** torch.nn.AvgPool2d(kernelSize, {stride, padding, countIncludePad}) over [N, C, H, W] or [C, H, W]. */
export class AvgPool2d extends Pool2dBase {
  readonly countIncludePad: boolean;

  constructor(kernelSize: Pair, options: AvgPoolLayerOptions = {}) {
    super('AvgPool2d', kernelSize, options);
    this.countIncludePad = checkBool('AvgPool2d', 'countIncludePad', options.countIncludePad ?? true);
  }

  protected pool(x: Tensor, opts: Pool2dOptions): Tensor {
    return avgPool2d(x, { ...opts, countIncludePad: this.countIncludePad });
  }

  override config(): LayerConfig {
    return { ...super.config(), countIncludePad: this.countIncludePad };
  }

  static fromConfig(c: LayerConfig): AvgPool2d {
    return new AvgPool2d(c.kernelSize as Pair, {
      stride: c.stride as Pair | undefined,
      padding: c.padding as Pair | undefined,
      countIncludePad: c.countIncludePad as boolean | undefined,
    });
  }
}

export interface UpsampleLayerOptions {
  /** The output [H, W] (one number for both). Give exactly one of size and scaleFactor. */
  size?: Pair;
  /** Output size = floor(input size · scaleFactor), per axis. */
  scaleFactor?: number | readonly [number, number];
  /** 'nearest' (default) or 'bilinear'. */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: map corner pixel centres onto each other (default false). */
  alignCorners?: boolean;
}

/** torch.nn.Upsample over [N, C, H, W]: nearest or bilinear resizing to a size or by a scale factor. */
export class Upsample extends Module {
  readonly size: Pair | undefined;
  readonly scaleFactor: number | readonly [number, number] | undefined;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean | undefined;

  constructor(options: UpsampleLayerOptions = {}) {
    super();
    const name = 'Upsample';
    const { size, scaleFactor, mode = 'nearest', alignCorners } = options;
    if ((size === undefined || size === null) === (scaleFactor === undefined || scaleFactor === null)) {
      throw new ValueError(
        `${name}: expected exactly one of size and scaleFactor, got ${size === undefined || size === null ? 'neither' : 'both'}`,
      );
    }
    if (mode !== 'nearest' && mode !== 'bilinear') {
      throw new ValueError(`${name}: expected mode 'nearest' or 'bilinear', got ${show(mode)}`);
    }
    if (alignCorners !== undefined && alignCorners !== null) {
      checkBool(name, 'alignCorners', alignCorners);
      if (mode === 'nearest' && alignCorners) {
        throw new ValueError(`${name}: alignCorners can only be set with mode 'bilinear'`);
      }
    }
    this.size = size === undefined || size === null ? undefined : checkPair(name, 'size', size, 1);
    if (scaleFactor !== undefined && scaleFactor !== null) {
      const s = typeof scaleFactor === 'number' ? [scaleFactor, scaleFactor] : scaleFactor;
      if (
        !Array.isArray(s) ||
        s.length !== 2 ||
        !s.every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v))
      ) {
        throw new ValueError(
          `${name}: expected scaleFactor to be a positive number or a pair of them, got ${show(scaleFactor)}`,
        );
      }
      this.scaleFactor = typeof scaleFactor === 'number' ? scaleFactor : [s[0], s[1]];
    }
    this.mode = mode;
    this.alignCorners = alignCorners ?? undefined;
  }

  forward(x: Tensor): Tensor {
    checkTensor('Upsample', x);
    const opts: UpsampleOptions = { mode: this.mode, alignCorners: this.alignCorners ?? false };
    if (this.size !== undefined) opts.size = pairValues(this.size);
    else opts.scaleFactor = this.scaleFactor;
    if (x.rank !== 4) {
      throw new ShapeError(`Upsample: expected input [N, C, H, W], got ${fmtShape(x.shape)}`);
    }
    return upsample(x, opts);
  }

  override config(): LayerConfig {
    const c: LayerConfig = {};
    if (this.size !== undefined) c.size = pairJson(this.size);
    if (this.scaleFactor !== undefined) {
      c.scaleFactor = typeof this.scaleFactor === 'number' ? this.scaleFactor : [...this.scaleFactor];
    }
    c.mode = this.mode;
    if (this.alignCorners !== undefined) c.alignCorners = this.alignCorners;
    return c;
  }

  static fromConfig(c: LayerConfig): Upsample {
    return new Upsample(c as UpsampleLayerOptions);
  }
}

registerLayer('MaxPool2d', MaxPool2d);
registerLayer('MinPool2d', MinPool2d);
registerLayer('AvgPool2d', AvgPool2d);
registerLayer('Upsample', Upsample);
