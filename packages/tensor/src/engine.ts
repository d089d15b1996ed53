import type { Backend, DataId, TensorInfo } from './backend';
import { bytesPerElement, type DType, type TypedArray } from './dtype';
import { ValueError } from './errors';
import { getKernel } from './kernel_registry';
import { Tensor, type TensorHandle } from './tensor';

/**
 * The one narrow hook autograd plugs into: while a recorder is set, the engine reports every
 * kernel call (and every reshape view) and every disposed tensor to it.
 */
export interface KernelRecorder {
  recordKernel(
    kernelName: string,
    inputs: readonly Tensor[],
    attrs: object,
    outputs: readonly Tensor[],
  ): void;
  /** A tensor was released: disposed, or collected after it became unreachable (then only its id is left). */
  onDispose(id: number): void;
  /** False while recording is paused (`noGrad`, an ordinary backward pass): nothing run then is recorded. */
  readonly recording?: boolean;
}

/** The name of the pseudo-kernel reported for reshapes, which are views, not backend kernels. */
export const ReshapeView = 'Reshape';

/**
 * The name of the pseudo-kernel reported for `split` (and `chunk`): its pieces are slices, but
 * recorded as one call, so that the gradient joins the pieces' gradients with one concat instead
 * of padding each back to the full shape and adding them up (quadratic in the number of pieces:
 * an LSTM over T steps splits its input projection T ways).
 */
export const SplitComposite = 'Split';

interface DataEntry {
  backend: Backend;
  refs: number;
}

interface BackendEntry {
  factory: () => Backend;
  priority: number;
  instance?: Backend;
}

export interface MemoryInfo {
  /** Live tensor handles, over all backends. */
  numTensors: number;
  /** Bytes held by live buffers, over all backends. */
  numBytes: number;
  /** Per started backend; `pooledBytes`: freed buffers kept for reuse (the cpu backend). */
  backends: Record<
    string,
    { numTensors: number; numBytes: number; numBuffers: number; pooledBytes?: number }
  >;
}

/**
 * The engine: owns the backends, runs kernels, and does the tensor bookkeeping (ids, scopes for
 * `tidy`, buffer reference counts shared by views, live-tensor counts for `memory()`).
 *
 * Two ways release a tensor's buffer. `dispose` (and `tidy`, which calls it) is the exact,
 * immediate one. A tensor nobody disposed is released by a `FinalizationRegistry` once the garbage
 * collector finds it unreachable, so an eager PyTorch-style loop that never disposes stays flat.
 * That is why the engine's state of a tensor lives in a separate `TensorHandle`: the registry's
 * callback gets the handle, never the (collected) tensor. A tensor made inside `tidy` is watched
 * only if it outlives its scopes (returned from the outermost one, or kept): registering every
 * short-lived tensor made the garbage collector's weak-cell work a third of a small op's cost.
 */
export class Engine {
  private readonly backends = new Map<string, BackendEntry>();
  private current: Backend | null = null;
  private readonly data = new WeakMap<DataId, DataEntry>();
  private readonly liveTensors = new Map<string, number>();
  private readonly scopes: Tensor[][] = [];
  private nextId = 0;
  recorder: KernelRecorder | null = null;
  private readonly collector =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<TensorHandle>((handle) => this.release(handle))
      : null;

  registerBackend(name: string, factory: () => Backend, priority = 1): void {
    this.backends.set(name, { factory, priority });
  }

  backendNames(): string[] {
    return [...this.backends.keys()];
  }

  findBackend(name: string): Backend {
    const entry = this.backends.get(name);
    if (!entry) {
      throw new ValueError(
        `setBackend: unknown backend '${name}'; registered: ${this.backendNames().join(', ')}`,
      );
    }
    entry.instance ??= entry.factory();
    return entry.instance;
  }

  setBackend(name: string): void {
    this.current = this.findBackend(name);
  }

  get backend(): Backend {
    if (!this.current) {
      const best = [...this.backends.entries()].sort((a, b) => b[1].priority - a[1].priority)[0];
      if (!best) throw new ValueError('engine: no backend is registered');
      this.current = this.findBackend(best[0]);
    }
    return this.current;
  }

  // ---- tensors and their buffers ----

  /** Wraps host values (ownership passes to the backend) in a new tensor. */
  makeTensor(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
    const backend = this.backend;
    return this.wrap({ dataId: backend.write(values, shape, dtype), shape, dtype }, backend, true);
  }

  private wrap(info: TensorInfo, backend: Backend, fresh: boolean, watch = true): Tensor {
    if (fresh) this.data.set(info.dataId, { backend, refs: 0 });
    const entry = this.data.get(info.dataId);
    if (!entry) throw new Error('engine: a kernel returned a buffer the engine does not know');
    entry.refs++;
    const handle: TensorHandle = { id: this.nextId++, dataId: info.dataId, backend, disposed: false };
    const t = new Tensor(info.shape, info.dtype, handle);
    this.liveTensors.set(backend.name, (this.liveTensors.get(backend.name) ?? 0) + 1);
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.push(t);
    else if (watch) this.watch(t);
    return t;
  }

  /** Lets the garbage collector release `t` once it is unreachable (a tensor outside every scope). */
  private watch(t: Tensor): void {
    const handle = t.handle;
    if (handle.watched || handle.disposed || !this.collector) return;
    this.collector.register(t, handle, handle);
    handle.watched = true;
  }

  /** A new tensor sharing `t`'s buffer, with another shape of the same size. */
  makeView(t: Tensor, shape: readonly number[]): Tensor {
    this.assertLive('reshape', t);
    const view = this.wrap({ dataId: t.dataId, shape, dtype: t.dtype }, t.backend, false);
    this.recorder?.recordKernel(ReshapeView, [t], { shape }, [view]);
    return view;
  }

  /**
   * A handle on `t`'s buffer that no scope tracks and the collector does not watch: its owner
   * disposes it (autograd saves tensors for backward this way and frees each node's handles when
   * the node goes).
   */
  retain(t: Tensor): Tensor {
    this.assertLive('retain', t);
    const saved = this.untracked(() =>
      this.wrap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, t.backend, false, false),
    );
    saved.kept = true;
    return saved;
  }

  private untracked<T>(fn: () => T): T {
    const scopes = this.scopes.splice(0);
    try {
      return fn();
    } finally {
      this.scopes.push(...scopes);
    }
  }

  /**
   * Makes `target` hold `value`'s data from now on (shape and dtype must match). The handle keeps
   * its identity, so a parameter stays the same leaf for autograd and its optimizer state; this is
   * how optimizers and running statistics update in place. Graphs recorded before keep their own
   * handles on the old data.
   */
  assign(target: Tensor, value: Tensor): void {
    this.assertLive('assign', target);
    this.assertLive('assign', value);
    if (target.backend !== value.backend) this.moveTo(value, target.backend);
    this.data.get(value.dataId)!.refs++;
    this.releaseData(target.dataId);
    target.handle.dataId = value.dataId;
  }

  dispose(t: Tensor): void {
    if (t.isDisposed) return;
    if (t.handle.watched) this.collector?.unregister(t.handle);
    this.release(t.handle);
  }

  /** Gives up one tensor's hold on its buffer: from `dispose`, or from the collector. */
  private release(handle: TensorHandle): void {
    if (handle.disposed) return;
    handle.disposed = true;
    const name = handle.backend.name;
    this.liveTensors.set(name, (this.liveTensors.get(name) ?? 1) - 1);
    this.releaseData(handle.dataId);
    this.recorder?.onDispose(handle.id);
  }

  private releaseData(dataId: DataId): void {
    const entry = this.data.get(dataId);
    if (!entry) return;
    if (--entry.refs === 0) {
      entry.backend.disposeData(dataId);
      this.data.delete(dataId);
    }
  }

  readSync(t: Tensor): TypedArray {
    this.assertLive('dataSync', t);
    return t.backend.readSync(t.dataId);
  }

  read(t: Tensor): Promise<TypedArray> {
    this.assertLive('data', t);
    return t.backend.read(t.dataId);
  }

  assertLive(op: string, t: Tensor): void {
    if (t.isDisposed) throw new ValueError(`${op}: tensor #${t.id} ${JSON.stringify(t.shape)} was disposed`);
  }

  /** Copies `t`'s buffer onto `backend` (used when a tensor made on one backend meets another). */
  private moveTo(t: Tensor, backend: Backend): void {
    const values = t.backend.readSync(t.dataId).slice();
    const dataId = backend.write(values, t.shape, t.dtype);
    this.data.set(dataId, { backend, refs: 1 });
    this.liveTensors.set(t.backend.name, (this.liveTensors.get(t.backend.name) ?? 1) - 1);
    this.liveTensors.set(backend.name, (this.liveTensors.get(backend.name) ?? 0) + 1);
    this.releaseData(t.dataId);
    t.handle.dataId = dataId;
    t.handle.backend = backend;
  }

  // ---- kernels ----

  runKernel(kernelName: string, inputs: readonly Tensor[], attrs: object): Tensor[] {
    const backend = this.backend;
    for (const t of inputs) {
      this.assertLive(kernelName, t);
      if (t.backend !== backend) this.moveTo(t, backend);
    }
    const kernel = getKernel(kernelName, backend.name);
    if (!kernel) throw new ValueError(`${kernelName}: no kernel registered for backend '${backend.name}'`);
    const result = kernel({ inputs, attrs, backend });
    const outputs = (Array.isArray(result) ? result : [result]).map((info) => this.wrap(info, backend, true));
    this.recorder?.recordKernel(kernelName, inputs, attrs, outputs);
    return outputs;
  }

  /**
   * Runs `fn` (kernels computing `outputs` from `inputs`) without reporting its kernels, then
   * reports the whole as one call of the pseudo-kernel `name`, whose gradient autograd registers.
   */
  runComposite(name: string, inputs: readonly Tensor[], attrs: object, fn: () => Tensor[]): Tensor[] {
    const recorder = this.recorder;
    this.recorder = null;
    let outputs: Tensor[];
    try {
      outputs = fn();
    } finally {
      this.recorder = recorder;
    }
    recorder?.recordKernel(name, inputs, attrs, outputs);
    return outputs;
  }

  // ---- scopes ----

  /**
   * Runs `fn` in a scope: every tensor created inside and not returned (nor kept) is disposed
   * when it ends. Returned tensors (also inside arrays and plain objects) move to the outer scope.
   */
  tidy<T>(fn: () => T): T {
    const scope: Tensor[] = [];
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.scopes.pop();
      for (const t of scope) {
        if (t.kept) this.watch(t);
        else this.dispose(t);
      }
      throw e;
    }
    this.scopes.pop();
    if (result instanceof Promise) {
      for (const t of scope) this.watch(t);
      throw new ValueError('tidy: the function returned a Promise; tidy only covers synchronous code');
    }
    // Most ops return one tensor: no set to build for that.
    const single = result instanceof Tensor ? result : null;
    const survivors = single ? null : new Set<Tensor>();
    if (survivors) collectTensors(result, survivors);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (t === single || survivors?.has(t)) {
        if (parent) parent.push(t);
        else this.watch(t);
      } else if (t.kept) this.watch(t);
      else this.dispose(t);
    }
    return result;
  }

  keep<T extends Tensor>(t: T): T {
    t.kept = true;
    return t;
  }

  /** Asks every started backend to release the buffers it keeps for reuse. */
  emptyCache(): void {
    for (const entry of this.backends.values()) entry.instance?.emptyCache?.();
  }

  memory(): MemoryInfo {
    const out: MemoryInfo = { numTensors: 0, numBytes: 0, backends: {} };
    for (const [name, entry] of this.backends) {
      if (!entry.instance) continue;
      const m = entry.instance.memory();
      const numTensors = this.liveTensors.get(name) ?? 0;
      out.backends[name] = { numTensors, numBytes: m.numBytes, numBuffers: m.numBuffers };
      if (m.pooledBytes !== undefined) out.backends[name].pooledBytes = m.pooledBytes;
      out.numTensors += numTensors;
      out.numBytes += m.numBytes;
    }
    return out;
  }
}

function collectTensors(x: unknown, into: Set<Tensor>): void {
  if (x instanceof Tensor) into.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, into);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, into);
  }
}

export function byteSize(shape: readonly number[], dtype: DType): number {
  let n = bytesPerElement(dtype);
  for (const d of shape) n *= d;
  return n;
}
