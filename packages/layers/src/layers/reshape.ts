/** Shape modules. Their functional cores are @axon/tensor's `flatten` and `reshape` (views, no copy). */
import { flatten, fmtShape, reshape, ShapeError, type Tensor, ValueError } from '@axon/tensor';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkTensor, show } from './conv_args';

/** torch.nn.Flatten: merges dims startDim..endDim (inclusive; default 1..-1, keeping the batch dim). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    for (const [what, v] of [
      ['startDim', startDim],
      ['endDim', endDim],
    ] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new ValueError(`Flatten: expected ${what} to be an integer, got ${show(v)}`);
      }
    }
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(x: Tensor): Tensor {
    checkTensor('Flatten', x);
    const rank = Math.max(x.rank, 1);
    const s = this.startDim < 0 ? this.startDim + rank : this.startDim;
    const e = this.endDim < 0 ? this.endDim + rank : this.endDim;
    if (s < 0 || s >= rank || e < 0 || e >= rank) {
      throw new ShapeError(
        `Flatten: dims ${this.startDim}..${this.endDim} are out of range for input ${fmtShape(x.shape)} (rank ${x.rank})`,
      );
    }
    if (s > e) {
      throw new ShapeError(
        `Flatten: startDim ${this.startDim} comes after endDim ${this.endDim} for input ${fmtShape(x.shape)}`,
      );
    }
    return flatten(x, this.startDim, this.endDim);
  }

  override config(): LayerConfig {
    return { startDim: this.startDim, endDim: this.endDim };
  }

  static fromConfig(c: LayerConfig): Flatten {
    return new Flatten(c.startDim as number | undefined, c.endDim as number | undefined);
  }
}

/**
 * Reshapes every sample: [N, ...] → [N, ...shape]. The batch dim is kept, so `shape` excludes it;
 * one entry may be -1, to be inferred (as in Keras' Reshape).
 */
export class Reshape extends Module {
  readonly shape: readonly number[];

  constructor(shape: readonly number[]) {
    super();
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= -1) ||
      shape.filter((d) => d === -1).length > 1
    ) {
      throw new ValueError(
        `Reshape: expected shape to be a list of integers >= 0 with at most one -1, got ${show(shape)}`,
      );
    }
    this.shape = [...shape];
  }

  forward(x: Tensor): Tensor {
    checkTensor('Reshape', x);
    if (x.rank < 1)
      throw new ShapeError(`Reshape: expected input [N, ...] with a batch dim, got ${fmtShape(x.shape)}`);
    const [n, ...rest] = x.shape;
    const per = rest.reduce((a, d) => a * d, 1);
    const known = this.shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const ok = this.shape.includes(-1) ? known > 0 && per % known === 0 : known === per;
    if (!ok) {
      throw new ShapeError(
        `Reshape: cannot reshape input ${fmtShape(x.shape)} (${per} values per sample) into [N, ${this.shape.join(', ')}]`,
      );
    }
    return reshape(x, [n, ...this.shape.map((d) => (d === -1 ? per / known : d))]);
  }

  override config(): LayerConfig {
    return { shape: [...this.shape] };
  }

  static fromConfig(c: LayerConfig): Reshape {
    return new Reshape(c.shape as number[]);
  }
}

registerLayer('Flatten', Flatten);
registerLayer('Reshape', Reshape);
