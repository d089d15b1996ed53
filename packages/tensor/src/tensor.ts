import type { Backend, DataId } from './backend';
import type { DType, TypedArray } from './dtype';
import { formatTensor } from './format';
import { ENGINE } from './global_engine';
import { sizeOf } from './shape';

export type NestedArray = number | boolean | NestedArray[];

/**
 * @internal What the engine knows of a tensor apart from the object itself: enough to release
 * the buffer after the object was garbage-collected.
 */
export interface TensorHandle {
  readonly id: number;
  dataId: DataId;
  backend: Backend;
  disposed: boolean;
  /** Watched by the engine's FinalizationRegistry (from when the tensor left every `tidy` scope). */
  watched?: boolean;
}

// `using t = ...` needs Symbol.dispose; older runtimes lack it (TypeScript's helpers then look it up
// under this registered name).
const DISPOSE: typeof Symbol.dispose =
  Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * An immutable handle on a buffer: shape, dtype, backend, data id. Ops never change a tensor;
 * they return new ones. Data leaves the backend only through `data()` or `dataSync()`.
 *
 * The op methods (`a.add(b)`, `x.sum(1)`, ...) are attached in `ops/methods.ts`, so that this file
 * stays about what a tensor *is*.
 */
export class Tensor {
  readonly size: number;
  /** A kept tensor survives the end of the `tidy` that created it. */
  kept = false;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** @internal */
    readonly handle: TensorHandle,
  ) {
    this.size = sizeOf(shape);
  }

  /** Unique per tensor handle (views of one buffer have their own ids). */
  get id(): number {
    return this.handle.id;
  }

  /** @internal the buffer; changes when the engine assigns or moves the tensor */
  get dataId(): DataId {
    return this.handle.dataId;
  }

  /** @internal */
  get backend(): Backend {
    return this.handle.backend;
  }

  /** Set when disposed; any later use throws. */
  get isDisposed(): boolean {
    return this.handle.disposed;
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

  /** Frees the buffer now (the exact, immediate tool; an unreachable tensor is freed anyway, later). */
  dispose(): void {
    ENGINE.dispose(this);
  }

  /** `using t = ax.randn([3])` disposes `t` at the end of the block. */
  [DISPOSE](): void {
    ENGINE.dispose(this);
  }

  /** The values as torch prints them: `tensor([[1.0, 2.0], [3.0, 4.0]], shape=[2, 2], dtype=float32)`. */
  toString(): string {
    const meta = `shape=[${this.shape.join(', ')}], dtype=${this.dtype}`;
    if (this.isDisposed) return `tensor(<disposed>, ${meta})`;
    return `tensor(${formatTensor(ENGINE.readSync(this), this.shape, this.dtype)}, ${meta})`;
  }

  /** What `console.log(t)` shows in Node. */
  [INSPECT](): string {
    return this.toString();
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
