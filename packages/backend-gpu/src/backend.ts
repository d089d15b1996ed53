import {
  allocate,
  type Backend,
  broadcastStrides,
  type DataId,
  type DType,
  DTypeError,
  sizeOf,
  type TensorInfo,
  type TypedArray,
  ValueError,
} from '@axon/tensor';
import type { GPU, IKernelRunShortcut, Texture } from 'gpu.js';
import { ownTexelFunction } from './codegen';
import { createContext, type GpuInfo } from './context';
import {
  fusedKernel,
  type Leaf,
  leavesOf,
  MAX_LEAVES,
  MAX_OPS,
  type Node,
  type OpNode,
  type Pending,
} from './fusion';
import { fetchFunction, type Packed } from './packed';
import type { Blocks } from './packed_product';
import { registerGpuKernels } from './register';

/**
 * What a buffer is on the device: a gpu.js Texture in the GL modes (it stays in GPU memory and
 * is passed straight to the next kernel), a Float32Array in the webasm/cpu modes (gpu.js's own
 * representation there, also passed straight on).
 */
export type DeviceArray = Texture | Float32Array;

interface Buffer {
  /** The values on the device; null while the buffer is a pending elementwise chain (`pending`). */
  value: DeviceArray | null;
  size: number;
  dtype: DType;
  /** An elementwise chain not run yet (fusion.ts): it runs when the values are needed. */
  pending?: Pending;
  /** Pending chains that read this buffer: it outlives its tensor's dispose until they have run. */
  holds: number;
  /** Its tensor was disposed while chains still held it. */
  released: boolean;
  /**
   * GL modes: the values of an int32 or bool buffer as uploaded. Tensors never change, so a read
   * of them (class labels checked by a loss, a mask) needs no trip to the device, which would
   * wait for every kernel queued before it.
   */
  host?: TypedArray;
}

/** A kernel program: JavaScript source in gpu.js's kernel subset, run with one thread per output element. */
export interface Program {
  /** The kernel function's source; shapes and strides are inlined as literals, so the source is the cache key. */
  source: string;
  /** The longest loop in the source (gpu.js silently cuts loops at `loopMaxIterations`). */
  loopMax?: number;
  /** Each thread returns four values, one RGBA texel (GL modes only; see packed.ts). */
  packed?: boolean;
  /** Packed texture arguments the source reads with `fetch_<name>(u, v)` (packed.ts). */
  fetches?: readonly string[];
  /** Arguments the source reads with `own_<name>()`: the value at the output element's own texel. */
  owns?: readonly string[];
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
  /**
   * Counts that let tests prove data stays on the device (reads happen only on dataSync/data), and
   * which kernels ran packed (`packed`: launches of packed kernels, also counted in `launches`).
   */
  readonly stats = { uploads: 0, readbacks: 0, launches: 0, compiles: 0, packed: 0 };

  constructor(mode?: string) {
    const { gpu, info } = createContext(mode);
    this.gpu = gpu;
    this.gpuInfo = info;
    this.fusion = this.isGl;
    registerGpuKernels();
  }

  get isGl(): boolean {
    return this.gpuInfo.maxTextureSize !== null;
  }

  // ---- buffers ----

  write(values: TypedArray, _shape: readonly number[], dtype: DType): DataId {
    assertSupported(dtype);
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    const id = this.store(this.upload(f32), f32.length, dtype);
    if (this.isGl && dtype !== 'float32' && f32.length > 0) {
      const host = allocate(dtype, f32.length);
      host.set(values);
      this.buffer(id).host = host;
    }
    return id;
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
    this.buffers.set(id, { value, size, dtype, holds: 0, released: false });
    this.numBytes += size * 4;
    return id;
  }

  private buffer(dataId: DataId): Buffer {
    const b = this.buffers.get(dataId);
    if (!b) throw new Error('gpu: use of a buffer that was released');
    return b;
  }

  /** The buffer with its values on the device: a pending chain runs now. */
  private ready(dataId: DataId): Buffer & { value: DeviceArray } {
    const b = this.buffer(dataId);
    if (b.pending) this.runPending(b);
    return b as Buffer & { value: DeviceArray };
  }

  readSync(dataId: DataId): TypedArray {
    const b = this.ready(dataId);
    if (b.size === 0) return allocate(b.dtype, 0);
    if (b.host) return b.host.slice();
    this.stats.readbacks++;
    const raw =
      b.value instanceof Float32Array
        ? b.value
        : b.size >= PACKED_READ_MIN
          ? this.readPacked(b.value, b.size)
          : (b.value.toArray() as Float32Array);
    const f32 = raw.length === b.size ? raw : raw.subarray(0, b.size);
    if (b.dtype === 'float32') return f32;
    const out = allocate(b.dtype, b.size);
    // int32 and bool are held as exact float values; round away any representation noise.
    for (let i = 0; i < b.size; i++) out[i] = Math.round(f32[i]);
    return out;
  }

  /**
   * GL modes: reads a one-value-per-texel texture as RGBA texels, four values each. A float
   * texture is read back as RGBA whatever its channels, so this moves a quarter of the bytes
   * (the packing kernel costs far less than the three wasted floats per value).
   */
  private readPacked(texture: Texture, size: number): Float32Array {
    const texels = Math.ceil(size / 4);
    const width = Math.min(texels, this.gpuInfo.maxTextureSize ?? texels);
    const height = Math.max(2, Math.ceil(texels / width));
    const reads = [0, 1, 2, 3]
      .map((c) => `if (i + ${c}.0 < ${size}.0) { v${c} = x[i + ${c}.0]; }`)
      .join('\n  ');
    const source = `function (x) {
  const i = (this.thread.x + this.thread.y * ${width}.0) * 4.0;
  let v0 = 0.0;
  let v1 = 0.0;
  let v2 = 0.0;
  let v3 = 0.0;
  ${reads}
  return [v0, v1, v2, v3];
}`;
    const packed = this.runPacked({ source }, [texture], [width, height]);
    const raw = (packed as Texture & { renderRawOutput(): Float32Array }).renderRawOutput();
    this.release(packed);
    return raw.subarray(0, size);
  }

  async read(dataId: DataId): Promise<TypedArray> {
    return this.readSync(dataId);
  }

  disposeData(dataId: DataId): void {
    const b = this.buffers.get(dataId);
    if (!b || b.released) return;
    if (b.pending) this.unhold(b.pending);
    if (b.holds > 0) {
      b.released = true; // freed when the last chain reading it has run
      return;
    }
    this.free(dataId, b);
  }

  private free(dataId: DataId, b: Buffer): void {
    if (b.value && !(b.value instanceof Float32Array)) b.value.delete();
    this.buffers.delete(dataId);
    if (b.value) this.numBytes -= b.size * 4;
  }

  /** A pending chain ran or was dropped: the buffers it read are free to go once released. */
  private unhold(p: Pending): void {
    for (const id of p.leaves) {
      const leaf = this.buffers.get(id);
      if (!leaf) continue;
      leaf.holds--;
      if (leaf.holds === 0 && leaf.released) this.free(id, leaf);
    }
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
    return this.ready(t.dataId).value;
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
    checkSize(size, shape);
    const args = inputs.map((t) => (isTensorInfo(t) ? this.deviceOrEmpty(t) : t));
    const kernel = this.compile(program, size, args);
    const value = kernel(...args) as DeviceArray;
    this.launched(kernel);
    return { dataId: this.store(value, size, dtype), shape, dtype };
  }

  /**
   * Fuse elementwise ops into one kernel per chain (fusion.ts). On by default in the GL modes,
   * where every launch has a fixed cost (about 0.3 ms on SwiftShader); off in webasm, which keeps
   * one kernel per op. Tests switch it on to run the fused path in any mode.
   */
  fusion: boolean;

  /**
   * An elementwise op over `inputs` with an output of `shape`: `template` is its value as an
   * expression of $0, $1, ... (the inputs' values at the output element, broadcast). With `fusion`
   * the result is pending: a chain over the pending inputs of the same shape, run when needed.
   */
  elementwise(
    template: string,
    inputs: readonly TensorInfo[],
    shape: readonly number[],
    dtype: DType,
  ): TensorInfo {
    assertSupported(dtype);
    const size = sizeOf(shape);
    if (size === 0) return { dataId: this.store(new Float32Array(0), 0, dtype), shape, dtype };
    checkSize(size, shape);
    const node = (inline: boolean): OpNode => {
      const nodes = inputs.map((t): Node => {
        const b = this.buffer(t.dataId);
        if (inline && b.pending && sameShape(b.pending.shape, shape)) return b.pending.root;
        this.ready(t.dataId);
        return { kind: 'leaf', id: t.dataId, size: b.size, strides: broadcastStrides(t.shape, shape) };
      });
      return {
        kind: 'op',
        template,
        inputs: nodes,
        ops: 1 + nodes.reduce((a, n) => a + (n.kind === 'op' ? n.ops : 0), 0),
      };
    };
    let root = node(this.fusion);
    let leaves = leavesOf(root);
    if (this.fusion && (root.ops > MAX_OPS || leaves.size > MAX_LEAVES)) {
      root = node(false);
      leaves = leavesOf(root);
    }
    return this.pending({ root, shape: [...shape], leaves }, dtype);
  }

  /** Registers a pending chain as a tensor's buffer, holding its leaves; without fusion it runs now. */
  private pending(pending: Pending, dtype: DType): TensorInfo {
    const dataId = {};
    this.buffers.set(dataId, {
      value: null,
      size: sizeOf(pending.shape),
      dtype,
      pending,
      holds: 0,
      released: false,
    });
    for (const id of pending.leaves) this.buffer(id).holds++;
    if (!this.fusion) this.runPending(this.buffer(dataId));
    return { dataId, shape: pending.shape, dtype };
  }

  /**
   * The tensor of `shape` whose values are a packed product's 2×2 blocks (packed_product.ts),
   * `entries` matrices of [rows, cols] in order. It is pending: the elementwise chain that
   * consumes it reads the blocks (no unpack pass), and anything else unpacks it first. The
   * texture is the backend's now; it goes when nothing pending reads it.
   */
  fromBlocks(c: Packed, rows: number, cols: number, shape: readonly number[], dtype: DType): TensorInfo {
    const entries = sizeOf(shape) / (rows * cols);
    const blocks: Blocks = { tiling: c.tiling, entries, rows, cols };
    const texels = c.tiling.width * c.tiling.textureHeight;
    const id = {};
    // Nobody's tensor: `released` from the start, freed when its last reader has run.
    this.buffers.set(id, { value: c.texture, size: 4 * texels, dtype: 'float32', holds: 0, released: true });
    this.numBytes += 16 * texels;
    const leaf: Leaf = { kind: 'leaf', id, size: sizeOf(shape), strides: [], blocks };
    const root: OpNode = { kind: 'op', template: '$0', inputs: [leaf], ops: 1 };
    return this.pending({ root, shape: [...shape], leaves: new Set([id]) }, dtype);
  }

  /** Runs a buffer's pending chain as one kernel; the buffer then holds its values. */
  private runPending(b: Buffer): void {
    const pending = b.pending as Pending;
    const { source, ids, fetches } = fusedKernel(pending);
    const leaves = ids.map((id) => ({
      dataId: id,
      shape: [this.buffer(id).size],
      dtype: this.buffer(id).dtype,
    }));
    const out = this.run({ source, fetches }, leaves, pending.shape, b.dtype);
    const done = this.buffers.get(out.dataId) as Buffer;
    this.buffers.delete(out.dataId); // the values move into b
    b.value = done.value;
    b.pending = undefined;
    this.unhold(pending);
  }

  /**
   * Runs a `packed` program with one thread per texel of a 2-D output of [width, height] RGBA
   * texels: a packed intermediate for another kernel (packed.ts), not a tensor. The caller frees
   * it with `release`.
   */
  runPacked(
    program: Program,
    inputs: readonly (TensorInfo | DeviceArray)[],
    size: [number, number],
  ): Texture {
    if (size[1] < 2) throw new Error('gpu: a packed texture needs 2 rows or more (packed.ts, textureHeight)');
    const args = inputs.map((t) => (isTensorInfo(t) ? this.deviceOrEmpty(t) : t));
    const kernel = this.compile({ ...program, packed: true }, size, args);
    const texture = kernel(...args) as Texture;
    this.stats.packed++;
    this.launched(kernel);
    return texture;
  }

  /**
   * The smallest matrix product (in multiply-adds) that runs packed: below it, the packed path's
   * three extra launches (two packs, an unpack) cost more than its faster product saves (on
   * SwiftShader, the MLP step's 64×128×10 products). Tests set 0 to pack small products.
   */
  packedMinMacs = 2 ** 17;

  /**
   * Caps the side of packed textures below the device's largest (null: no cap). Tests set a small
   * cap to run the tiled layouts and the one-value fallbacks on small tensors.
   */
  packedSideLimit: number | null = null;

  /** The largest side of a packed texture: the GL mode's largest texture side (0 elsewhere). */
  maxTextureSide(): number {
    const side = this.gpuInfo.maxTextureSize ?? 0;
    return this.packedSideLimit === null ? side : Math.min(side, this.packedSideLimit);
  }

  /** Counts a launch; in the GL modes, every FLUSH_EVERY launches flushes the commands issued. */
  private launched(kernel: IKernelRunShortcut): void {
    this.stats.launches++;
    if (this.isGl && this.stats.launches % FLUSH_EVERY === 0) flush(kernel);
  }

  /** Frees a packed intermediate from `runPacked`. */
  release(texture: Texture): void {
    texture.delete();
  }

  /** gpu.js cannot take an empty array as an argument; a 1-element placeholder stands in (never read). */
  private deviceOrEmpty(t: TensorInfo): DeviceArray {
    const b = this.ready(t.dataId);
    return b.size === 0 ? new Float32Array(1) : b.value;
  }

  /**
   * The compiled kernel for `program` with this output size and these arguments. gpu.js fixes each
   * argument's size when it compiles (a later call with another size throws), and a source need not
   * inline every input's size (a gather's table, a cast's input), so the argument sizes are part of
   * the key too.
   */
  private compile(
    program: Program,
    size: number | [number, number],
    args: readonly DeviceArray[],
  ): IKernelRunShortcut {
    const output = typeof size === 'number' ? [size] : size;
    const key = `${output.join('x')}|${program.packed ? 'rgba' : 'r'}|${args.map(argumentSize).join(',')}|${program.source}`;
    let kernel = this.programs.get(key);
    if (!kernel) {
      // Decided once per kernel: the key holds the output size and every argument's size.
      if (this.isGl && !program.packed && typeof size === 'number')
        program = ownTexelReads(program, args, size);
      const webgl2 = this.gpuInfo.mode === 'webgl2';
      const settings = {
        output,
        pipeline: true,
        immutable: true,
        precision: 'single' as const,
        tactic: 'precision' as const,
        // gpu.js's typings omit this documented setting
        loopMaxIterations: Math.max(1, program.loopMax ?? 1),
        ...(program.packed ? { returnType: 'Array(4)' as const } : {}),
        nativeFunctions: [
          ...(program.fetches ?? []).map((a) => fetchFunction(a, webgl2)),
          ...(program.owns ?? []).map((a) => ownTexelFunction(a, webgl2)),
        ],
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

/**
 * In the GL modes, `name[this.thread.x]` of an input as large as the output (so laid out in a
 * texture of the same size, texel for texel) becomes `own_name()`, a fetch of the texel the
 * fragment writes: no flat index → texel arithmetic, which is most of an elementwise kernel's work.
 */
function ownTexelReads(program: Program, args: readonly DeviceArray[], size: number): Program {
  const params =
    /^function \(([^)]*)\)/
      .exec(program.source)?.[1]
      .split(',')
      .map((p) => p.trim()) ?? [];
  let source = program.source;
  const owns: string[] = [];
  params.forEach((name, i) => {
    const arg = args[i];
    const read = new RegExp(`(?<![\\w$.])${name}\\[this\\.thread\\.x\\]`, 'g');
    // A one-value-per-texel texture of the output's length (packed textures are 2-D).
    const sameLayout = arg && !(arg instanceof Float32Array) && argumentSize(arg) === `${size}`;
    if (!sameLayout || !read.test(source)) return;
    source = source.replace(read, `own_${name}()`);
    owns.push(name);
  });
  return owns.length ? { ...program, source, owns } : program;
}

/**
 * GL modes: every this many launches the commands issued so far are flushed to the device, so it
 * works while the host issues the next ones (a browser otherwise sends them at the next read-back).
 * Measured on SwiftShader: the MLP step 25.2 → 24.1 ms, the CNN step 64.2 → 61.4 ms (every 2 or 8
 * launches: about the same).
 */
const FLUSH_EVERY = 4;

function flush(kernel: IKernelRunShortcut): void {
  const k = kernel as unknown as {
    context?: WebGLRenderingContext;
    kernel?: { context?: WebGLRenderingContext };
  };
  (k.kernel?.context ?? k.context)?.flush();
}

/** GL modes: tensors this large or larger are read back packed, four values per texel (readPacked). */
const PACKED_READ_MIN = 4096;

/** Indices are computed in float32 on the device: every integer up to 2^24 is exact. */
const MAX_ELEMENTS = 2 ** 24;

/** What gpu.js fixes about an argument when it compiles a kernel: an array's length, a texture's size. */
function argumentSize(a: DeviceArray): string {
  // gpu.js's typings omit a texture's `output` (its [length] here), which it checks arguments by.
  return a instanceof Float32Array ? `${a.length}` : (a as Texture & { output: number[] }).output.join('x');
}

function checkSize(size: number, shape: readonly number[]): void {
  if (size > MAX_ELEMENTS) {
    throw new ValueError(
      `gpu: an output of ${size} elements (shape [${shape.join(', ')}]) exceeds the gpu backend's limit of 2^24 = ${MAX_ELEMENTS} (indices are float32 on the device); split the work or use the cpu backend`,
    );
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
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
