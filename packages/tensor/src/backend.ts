import type { DType, TypedArray } from './dtype';

/** An opaque handle to a buffer owned by one backend. Several tensors (views) may share one. */
export type DataId = object;

/** What a kernel sees of a tensor: where its data lives, and how to read it. */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A backend owns buffers and runs kernels on them. It knows nothing of tensors, scopes or
 * gradients: the engine does the bookkeeping and calls `disposeData` when the last tensor
 * using a buffer is gone.
 */
export interface Backend {
  readonly name: string;
  /** Takes ownership of `values` and returns a handle to them. */
  write(values: TypedArray, shape: readonly number[], dtype: DType): DataId;
  /** The buffer's contents. Callers must not mutate the returned array. */
  readSync(dataId: DataId): TypedArray;
  read(dataId: DataId): Promise<TypedArray>;
  disposeData(dataId: DataId): void;
  /** Live buffers and bytes held by this backend (and bytes of freed buffers kept for reuse). */
  memory(): { numBuffers: number; numBytes: number; pooledBytes?: number };
  /** Releases buffers kept for reuse (a backend that keeps none need not have it). */
  emptyCache?(): void;
  /** Free-form facts for `backendInfo()` (mode, precision, ...). */
  info(): Record<string, unknown>;
}
