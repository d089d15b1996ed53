import { allocate, type DType, dtypeOfArray, type TypedArray } from '../../dtype';

/**
 * Freed CPU buffers kept for the next kernel that needs the same dtype and length.
 *
 * Why: a training step allocates the same set of large arrays every time (activations, their
 * gradients, optimizer temporaries) and frees them all when its `tidy` ends. Fresh typed arrays
 * of a few MB cost three times over: the zero-filled allocation, page faults on first write, and
 * the garbage collections that external memory pressure triggers. Handing the last step's arrays
 * to the next one removes all three (a CNN step on MNIST ran ~2× faster).
 *
 * Safety: the backend owns every buffer it holds (tensor creation copies host values, `dataSync`
 * and `data` return copies), so once the engine releases a buffer nothing else can see it.
 * Small arrays (under MIN_ELEMENTS) are cheap for the engine to allocate and are not kept. At most
 * CAP_BYTES are kept: beyond that, the buffers whose size was returned least recently go first.
 */

const MIN_ELEMENTS = 1024;
const CAP_BYTES = 256 * 1024 * 1024;
const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

export class BufferPool {
  /** Free arrays by key (length·4 + dtype code), in the order their key was last given back. */
  private readonly free = new Map<number, TypedArray[]>();
  private bytes = 0;

  /** `capBytes`: the most that free arrays may hold together (tests use a small cap). */
  constructor(private readonly capBytes = CAP_BYTES) {}

  /** An array of `dtype` and `size` elements: zero-filled when `zero`, else with stale values. */
  take(dtype: DType, size: number, zero: boolean): TypedArray {
    if (size >= MIN_ELEMENTS) {
      const key = size * 4 + DTYPE_CODE[dtype];
      const list = this.free.get(key);
      const values = list?.pop();
      if (values) {
        if (list?.length === 0) this.free.delete(key);
        this.bytes -= values.byteLength;
        if (zero) values.fill(0);
        return values;
      }
    }
    return allocate(dtype, size);
  }

  /** Gives an array back; the caller must hold no other reference that it will use. */
  give(values: TypedArray): void {
    if (values.length < MIN_ELEMENTS || values.byteLength > this.capBytes) return;
    const key = values.length * 4 + DTYPE_CODE[dtypeOfArray(values)];
    while (this.bytes + values.byteLength > this.capBytes) this.evictOldest();
    // Re-inserted, the key moves to the end: the most recently given back.
    const list = this.free.get(key) ?? [];
    this.free.delete(key);
    list.push(values);
    this.free.set(key, list);
    this.bytes += values.byteLength;
  }

  /** Drops every kept array (the garbage collector takes them). */
  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }

  /** Bytes held in free arrays. */
  get pooledBytes(): number {
    return this.bytes;
  }

  private evictOldest(): void {
    const [key, list] = this.free.entries().next().value as [number, TypedArray[]];
    const values = list.shift() as TypedArray;
    if (list.length === 0) this.free.delete(key);
    this.bytes -= values.byteLength;
  }
}
