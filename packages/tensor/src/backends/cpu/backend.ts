import type { Backend, DataId, TensorInfo } from '../../backend';
import type { DType, TypedArray } from '../../dtype';
import { BufferPool } from './buffer_pool';
import { getCpuKernels } from './kernels/gemm_wasm';
import { registerCpuKernels } from './register';

/**
 * The CPU backend keeps each buffer as one typed array. Kernels read inputs with `values()` and
 * return outputs with `output()`; they take each output (and scratch) array from `alloc()` or
 * `empty()` and never box numbers. Released buffers go to a pool (buffer_pool.ts) that the next
 * `alloc`/`empty` of the same dtype and length draws from.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  private readonly buffers = new Map<DataId, TypedArray>();
  private numBytes = 0;
  private readonly pool = new BufferPool();

  constructor() {
    registerCpuKernels();
  }

  write(values: TypedArray): DataId {
    const id = {};
    this.buffers.set(id, values);
    this.numBytes += values.byteLength;
    return id;
  }

  readSync(dataId: DataId): TypedArray {
    const values = this.buffers.get(dataId);
    if (!values) throw new Error('cpu: read of a buffer that was released');
    return values;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    return this.readSync(dataId);
  }

  disposeData(dataId: DataId): void {
    const values = this.buffers.get(dataId);
    if (!values) return;
    this.numBytes -= values.byteLength;
    this.buffers.delete(dataId);
    this.pool.give(values);
  }

  /** Live buffers and their bytes; `pooledBytes` is what freed buffers kept for reuse hold. */
  memory(): { numBuffers: number; numBytes: number; pooledBytes: number } {
    return { numBuffers: this.buffers.size, numBytes: this.numBytes, pooledBytes: this.pool.pooledBytes };
  }

  /** Lets the garbage collector have the pooled free buffers (as torch.cuda.empty_cache). */
  emptyCache(): void {
    this.pool.clear();
  }

  info(): Record<string, unknown> {
    const kernels = getCpuKernels();
    return {
      name: 'cpu',
      mode: 'cpu',
      kernels,
      precision: kernels.wasm
        ? 'float32 products (matmul, conv) summed in float32 on WebAssembly SIMD; everything else float64 arithmetic, stored per dtype'
        : 'float64 arithmetic, stored per dtype',
    };
  }

  /** The input's values (read-only by convention). */
  values(t: TensorInfo): TypedArray {
    return this.readSync(t.dataId);
  }

  /** Registers `values` as a kernel output. */
  output(values: TypedArray, shape: readonly number[], dtype: DType): TensorInfo {
    return { dataId: this.write(values), shape, dtype };
  }

  /** A zero-filled array of `dtype` with `size` elements, for an output or scratch. */
  alloc(dtype: DType, size: number): TypedArray {
    return this.pool.take(dtype, size, true);
  }

  /** As `alloc`, but with arbitrary contents: for a kernel that writes every element. */
  empty(dtype: DType, size: number): TypedArray {
    return this.pool.take(dtype, size, false);
  }

  /** Gives back a scratch array from `alloc`/`empty` that no output holds. */
  recycle(values: TypedArray): void {
    this.pool.give(values);
  }
}
