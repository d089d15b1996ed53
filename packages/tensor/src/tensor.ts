import type { Backend, DataId } from './backend';
import type { DType, TypedArray } from './dtype';
import { ENGINE } from './global_engine';
import { sizeOf } from './shape';

export type NestedArray = number | boolean | NestedArray[];

/**
 * An immutable handle on a buffer: shape, dtype, backend, data id. Ops never change a tensor;
 * they return new ones. Data leaves the backend only through `data()` or `dataSync()`.
 *
 * The op methods (`a.add(b)`, `x.sum(1)`, ...) are attached in `ops/methods.ts`, so that this file
 * stays about what a tensor *is*.
 */
export class Tensor {
  readonly size: number;
  /** Set when disposed; any later use throws. */
  isDisposed = false;
  /** A kept tensor survives the end of the `tidy` that created it. */
  kept = false;

  constructor(
    readonly id: number,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** @internal the buffer; changes only when the engine moves the tensor to another backend */
    public dataId: DataId,
    /** @internal */
    public backend: Backend,
  ) {
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values, flat in row-major order. */
  dataSync(): TypedArray {
    return ENGINE.readSync(this).slice();
  }

  async data(): Promise<TypedArray> {
    return (await ENGINE.read(this)).slice();
  }

  /** The values as nested arrays (booleans for bool tensors). */
  arraySync(): NestedArray {
    return toNested(ENGINE.readSync(this), this.shape, this.dtype === 'bool');
  }

  async array(): Promise<NestedArray> {
    return toNested(await ENGINE.read(this), this.shape, this.dtype === 'bool');
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: tensor has ${this.size} elements, expected 1`);
    return ENGINE.readSync(this)[0];
  }

  dispose(): void {
    ENGINE.dispose(this);
  }

  toString(): string {
    if (this.isDisposed) return `Tensor(disposed, shape=[${this.shape}], dtype=${this.dtype})`;
    const body = formatNested(this.arraySync());
    return `Tensor(${body}, shape=[${this.shape.join(', ')}], dtype=${this.dtype})`;
  }
}

function toNested(values: TypedArray, shape: readonly number[], asBool: boolean): NestedArray {
  const at = (i: number): number | boolean => (asBool ? values[i] !== 0 : values[i]);
  if (shape.length === 0) return at(0);
  const build = (dim: number, offset: number, stride: number): NestedArray[] => {
    const n = shape[dim];
    const inner = stride / n;
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dim === shape.length - 1 ? at(offset + i) : build(dim + 1, offset + i * inner, inner);
    }
    return out;
  };
  return build(0, 0, sizeOf(shape));
}

function formatNested(x: NestedArray, depth = 0): string {
  if (!Array.isArray(x)) return typeof x === 'number' ? formatNumber(x) : String(x);
  if (x.length > 0 && Array.isArray(x[0])) {
    const pad = ' '.repeat(depth + 1);
    return `[${x.map((v, i) => (i === 0 ? '' : pad) + formatNested(v, depth + 1)).join(',\n')}]`;
  }
  return `[${x.map((v) => formatNested(v, depth + 1)).join(', ')}]`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}
