import type { Backend, DataId, TensorInfo } from '../../backend';
import { allocate, type DType, type TypedArray } from '../../dtype';
import { getCpuKernels } from './kernels/gemm_wasm';
import { registerCpuKernels } from './register';

/**
 * The CPU backend keeps each buffer as one typed array. Kernels read inputs with `values()` and
 * return outputs with `output()`; they allocate once per output and never box numbers.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  private readonly buffers = new Map<DataId, TypedArray>();
  private numBytes = 0;

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
  }

  memory(): { numBuffers: number; numBytes: number } {
    return { numBuffers: this.buffers.size, numBytes: this.numBytes };
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

  /** A zero-filled output array of `dtype` with `size` elements. */
  alloc(dtype: DType, size: number): TypedArray {
    return allocate(dtype, size);
  }
}
