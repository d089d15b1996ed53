import { describeValue, fmtShape, narrow, reshape, ShapeError, Tensor, ValueError } from '@axon/tensor';

/** Anything indexable with a known length: `get(i)` for `0 <= i < length`. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/** One example (or, from a DataLoader, one batch): inputs `x` and targets `y`. */
export interface Sample {
  x: Tensor;
  y: Tensor;
}

/**
 * A dataset over two tensors that share their first axis: sample `i` is `{x: x[i], y: y[i]}`.
 * A DataLoader batches it with one `indexSelect` per tensor per batch.
 */
export class TensorDataset implements Dataset<Sample> {
  readonly x: Tensor;
  readonly y: Tensor;

  constructor(x: Tensor, y: Tensor) {
    if (!(x instanceof Tensor) || !(y instanceof Tensor)) {
      throw new ValueError(
        `TensorDataset: expected two Tensors (x, y), got ${describeValue(x)} and ${describeValue(y)}`,
      );
    }
    if (x.isDisposed || y.isDisposed) {
      throw new ValueError(`TensorDataset: the ${x.isDisposed ? 'x' : 'y'} tensor is disposed`);
    }
    if (x.rank === 0 || y.rank === 0) {
      throw new ShapeError(
        `TensorDataset: x and y need a first (sample) axis, got x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)}`,
      );
    }
    if (x.shape[0] !== y.shape[0]) {
      throw new ShapeError(
        `TensorDataset: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} differ in their number of samples (first axis: ${x.shape[0]} vs ${y.shape[0]})`,
      );
    }
    this.x = x;
    this.y = y;
  }

  get length(): number {
    return this.x.shape[0];
  }

  /** Sample `index`: `x[index]` and `y[index]` (new tensors, without the sample axis). */
  get(index: number): Sample {
    checkIndex('TensorDataset.get', index, this.length);
    return {
      x: reshape(narrow(this.x, 0, index, 1), this.x.shape.slice(1)),
      y: reshape(narrow(this.y, 0, index, 1), this.y.shape.slice(1)),
    };
  }

  /** Frees both tensors. */
  dispose(): void {
    this.x.dispose();
    this.y.dispose();
  }
}

export function checkIndex(what: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new ValueError(`${what}: index ${index} is out of range: expected an integer in [0, ${length})`);
  }
}
