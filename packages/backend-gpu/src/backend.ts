import {
  allocate,
  type Backend,
  type DataId,
  type DType,
  DTypeError,
  type TensorInfo,
  type TypedArray,
  ValueError,
} from '@axon/tensor';
import type { GPU, IKernelRunShortcut, Texture } from 'gpu.js';
import { createContext, type GpuInfo } from './context';
import { registerGpuKernels } from './register';

/**
 * What a buffer is on the device: a gpu.js Texture in the GL modes (it stays in GPU memory and
 * is passed straight to the next kernel), a Float32Array in the webasm/cpu modes (gpu.js's own
 * representation there, also passed straight on).
 */
export type DeviceArray = Texture | Float32Array;

interface Buffer {
  value: DeviceArray;
  size: number;
  dtype: DType;
}

/** A kernel program: JavaScript source in gpu.js's kernel subset, run with one thread per output element. */
export interface Program {
  /** The kernel function's source; shapes and strides are inlined as literals, so the source is the cache key. */
  source: string;
  /** The longest loop in the source (gpu.js silently cuts loops at `loopMaxIterations`). */
  loopMax?: number;
}

/**
 * The gpu.js backend. Every tensor is one flat float32 buffer on the device (int32 and bool as
 * exact float values), so every kernel has a 1-D output of `size` threads and gpu.js packs it into
 * a near-square texture below the maximum texture size. Compiled kernels are cached by source.
 */
export class GpuBackend implements Backend {
  readonly name = 'gpu';
  readonly gpu: GPU;
  readonly gpuInfo: GpuInfo;
  private readonly buffers = new Map<DataId, Buffer>();
  private readonly programs = new Map<string, IKernelRunShortcut>();
  private numBytes = 0;
  /** Copy kernels for uploads, one per size (gpu.js's dynamicOutput does not grow GL textures). */
  private readonly uploaders = new Map<number, IKernelRunShortcut>();
  /** Counts that let tests prove data stays on the device (reads happen only on dataSync/data). */
  readonly stats = { uploads: 0, readbacks: 0, launches: 0, compiles: 0 };

  constructor(mode?: string) {
    const { gpu, info } = createContext(mode);
    this.gpu = gpu;
    this.gpuInfo = info;
    registerGpuKernels();
  }

  get isGl(): boolean {
    return this.gpuInfo.maxTextureSize !== null;
  }

  // ---- buffers ----

  write(values: TypedArray, _shape: readonly number[], dtype: DType): DataId {
    assertSupported(dtype);
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.store(this.upload(f32), f32.length, dtype);
  }

  /** Host → device. In the GL modes a cached copy kernel turns the array into a texture. */
  private upload(values: Float32Array): DeviceArray {
    this.stats.uploads++;
    if (!this.isGl || values.length === 0) return values;
    let uploader = this.uploaders.get(values.length);
    if (!uploader) {
      uploader = this.gpu.createKernel(
        function (this: { thread: { x: number } }, a: number[]) {
          return a[this.thread.x];
        },
        // 'precision' pins highp: left to itself gpu.js picks the precision from the texture size.
        {
          output: [values.length],
          pipeline: true,
          immutable: true,
          precision: 'single',
          tactic: 'precision',
        },
      );
      this.uploaders.set(values.length, uploader);
      this.stats.compiles++;
    }
    return uploader(values) as Texture;
  }

  private store(value: DeviceArray, size: number, dtype: DType): DataId {
    const id = {};
    this.buffers.set(id, { value, size, dtype });
    this.numBytes += size * 4;
    return id;
  }

  private buffer(dataId: DataId): Buffer {
    const b = this.buffers.get(dataId);
    if (!b) throw new Error('gpu: use of a buffer that was released');
    return b;
  }

  readSync(dataId: DataId): TypedArray {
    const b = this.buffer(dataId);
    if (b.size === 0) return allocate(b.dtype, 0);
    this.stats.readbacks++;
    const raw = b.value instanceof Float32Array ? b.value : (b.value.toArray() as Float32Array);
    const f32 = raw.length === b.size ? raw : raw.subarray(0, b.size);
    if (b.dtype === 'float32') return f32;
    const out = allocate(b.dtype, b.size);
    // int32 and bool are held as exact float values; round away any representation noise.
    for (let i = 0; i < b.size; i++) out[i] = Math.round(f32[i]);
    return out;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    return this.readSync(dataId);
  }

  disposeData(dataId: DataId): void {
    const b = this.buffers.get(dataId);
    if (!b) return;
    if (!(b.value instanceof Float32Array)) b.value.delete();
    this.buffers.delete(dataId);
    this.numBytes -= b.size * 4;
  }

  memory(): { numBuffers: number; numBytes: number } {
    return { numBuffers: this.buffers.size, numBytes: this.numBytes };
  }

  info(): Record<string, unknown> {
    return { ...this.gpuInfo, compiledKernels: this.programs.size };
  }

  // ---- running kernels ----

  /** The device array behind an input, to pass as a kernel argument. */
  device(t: TensorInfo): DeviceArray {
    return this.buffer(t.dataId).value;
  }

  /**
   * Runs `program` with one thread per element of an output of `shape`, over `inputs`, and
   * registers the result. Nothing is read back: the output stays on the device.
   */
  run(
    program: Program,
    inputs: readonly (TensorInfo | DeviceArray)[],
    shape: readonly number[],
    dtype: DType,
  ): TensorInfo {
    assertSupported(dtype);
    let size = 1;
    for (const d of shape) size *= d;
    if (size === 0) return { dataId: this.store(new Float32Array(0), 0, dtype), shape, dtype };
    if (size > MAX_ELEMENTS) {
      throw new ValueError(
        `gpu: an output of ${size} elements (shape [${shape.join(', ')}]) exceeds the gpu backend's limit of 2^24 = ${MAX_ELEMENTS} (indices are float32 on the device); split the work or use the cpu backend`,
      );
    }
    const args = inputs.map((t) => (isTensorInfo(t) ? this.deviceOrEmpty(t) : t));
    const kernel = this.compile(program, size, args);
    const value = kernel(...args) as DeviceArray;
    this.stats.launches++;
    return { dataId: this.store(value, size, dtype), shape, dtype };
  }

  /** gpu.js cannot take an empty array as an argument; a 1-element placeholder stands in (never read). */
  private deviceOrEmpty(t: TensorInfo): DeviceArray {
    const b = this.buffer(t.dataId);
    return b.size === 0 ? new Float32Array(1) : b.value;
  }

  /**
   * The compiled kernel for `program` with this output size and these arguments. gpu.js fixes each
   * argument's size when it compiles (a later call with another size throws), and a source need not
   * inline every input's size (a gather's table, a cast's input), so the argument sizes are part of
   * the key too.
   */
  private compile(program: Program, size: number, args: readonly DeviceArray[]): IKernelRunShortcut {
    const key = `${size}|${args.map(argumentSize).join(',')}|${program.source}`;
    let kernel = this.programs.get(key);
    if (!kernel) {
      const settings = {
        output: [size],
        pipeline: true,
        immutable: true,
        precision: 'single' as const,
        tactic: 'precision' as const,
        // gpu.js's typings omit this documented setting
        loopMaxIterations: Math.max(1, program.loopMax ?? 1),
      };
      kernel = this.gpu.createKernel(program.source, settings);
      this.stats.compiles++;
      this.programs.set(key, kernel);
    }
    return kernel;
  }

  /** Allocates a host array for kernels that compute on the host (random fill). */
  output(values: Float32Array, shape: readonly number[], dtype: DType): TensorInfo {
    return { dataId: this.store(this.upload(values), values.length, dtype), shape, dtype };
  }
}

/** Indices are computed in float32 on the device: every integer up to 2^24 is exact. */
const MAX_ELEMENTS = 2 ** 24;

/** What gpu.js fixes about an argument when it compiles a kernel: an array's length, a texture's size. */
function argumentSize(a: DeviceArray): string {
  // gpu.js's typings omit a texture's `output` (its [length] here), which it checks arguments by.
  return a instanceof Float32Array ? `${a.length}` : (a as Texture & { output: number[] }).output.join('x');
}

function isTensorInfo(x: TensorInfo | DeviceArray): x is TensorInfo {
  return (x as TensorInfo).dataId !== undefined;
}

function assertSupported(dtype: DType): void {
  if (dtype === 'float64') {
    throw new DTypeError(
      "gpu: float64 is not supported (the gpu backend computes in single precision); cast to 'float32'",
    );
  }
}
