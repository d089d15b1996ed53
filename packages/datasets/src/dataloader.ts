import {
  checkPositiveInt,
  defaultGenerator,
  describeValue,
  fmtShape,
  Generator,
  indexSelect,
  randomUint32,
  ShapeError,
  stack,
  Tensor,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { type Dataset, type Sample, TensorDataset } from './dataset';

export interface DataLoaderOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Draw a new order of the samples at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** The generator that shuffles. Default: a `new Generator(seed)` when `seed` is given, else the default generator (`manualSeed`). */
  generator?: Generator;
  /** Shorthand for `generator: new Generator(seed)`. */
  seed?: number;
}

/**
 * Batches a dataset. Iterating it (synchronously or with `for await`) is one epoch: it yields
 * `{x, y}` batches whose first axis is the batch. A TensorDataset is batched with one
 * `indexSelect` per tensor per batch; any other dataset of `{x, y}` samples by stacking them.
 * With `shuffle`, each epoch draws a fresh permutation from the (seeded) generator, so the same
 * seed replays the same sequence of epochs. Async iteration yields to the event loop before
 * each batch, so a page stays responsive while it trains.
 *
 * The batches are new tensors, owned by the consumer: inside a `tidy` they are freed with it;
 * otherwise dispose them (e.g. `fit(..., {disposeBatches: true})`).
 */
export class DataLoader implements Iterable<Sample>, AsyncIterable<Sample> {
  readonly dataset: Dataset<Sample>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;

  constructor(dataset: Dataset<Sample>, options: DataLoaderOptions = {}) {
    if (
      dataset === null ||
      typeof dataset !== 'object' ||
      typeof (dataset as Partial<Dataset<Sample>>).get !== 'function'
    ) {
      throw new ValueError(
        `DataLoader: expected a dataset with 'length' and 'get(index)', got ${describeValue(dataset)}`,
      );
    }
    const n = dataset.length;
    if (!Number.isInteger(n) || n < 0) {
      throw new ValueError(`DataLoader: the dataset's length must be a non-negative integer, got ${n}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new ValueError(`DataLoader: options must be an object, got ${describeValue(options)}`);
    }
    const { batchSize = 32, shuffle = false, dropLast = false, generator, seed } = options;
    checkPositiveInt('DataLoader', 'batchSize', batchSize);
    if (generator !== undefined && !(generator instanceof Generator)) {
      throw new ValueError(`DataLoader: generator must be a Generator, got ${describeValue(generator)}`);
    }
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new ValueError(`DataLoader: seed must be an integer, got ${seed}`);
    }
    if (generator !== undefined && seed !== undefined) {
      throw new ValueError('DataLoader: pass either generator or seed, not both');
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = Boolean(shuffle);
    this.dropLast = Boolean(dropLast);
    this.generator = generator ?? (seed !== undefined ? new Generator(seed) : undefined);
  }

  /** The number of batches in one epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * The sample order of one epoch: 0..n-1, or with `shuffle` a permutation (Fisher–Yates) drawn
   * from the generator, which advances it. Iteration calls this once per epoch.
   */
  order(): Int32Array {
    const n = this.dataset.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (!this.shuffle || n < 2) return idx;
    const { seed, offset } = (this.generator ?? defaultGenerator()).take(n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor((randomUint32(seed, offset + i) / 4294967296) * (i + 1));
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx;
  }

  *[Symbol.iterator](): Iterator<Sample> {
    const order = this.order();
    const batches = this.length;
    for (let b = 0; b < batches; b++) yield this.batch(order, b);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Sample> {
    const order = this.order();
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      await yieldToEventLoop();
      yield this.batch(order, b);
    }
  }

  /** A fresh batch, marked as the consumer's to free (fit/evaluate do so after using it). */
  private batch(order: Int32Array, b: number): Sample {
    return markOwned(this.makeBatch(order, b));
  }

  private makeBatch(order: Int32Array, b: number): Sample {
    const start = b * this.batchSize;
    const indices = order.subarray(start, Math.min(start + this.batchSize, order.length));
    const ds = this.dataset;
    if (ds instanceof TensorDataset) {
      return tidy(() => {
        const index = tensor(indices, { dtype: 'int32' });
        return { x: indexSelect(ds.x, 0, index), y: indexSelect(ds.y, 0, index) };
      });
    }
    return tidy(() => {
      const xs: Tensor[] = [];
      const ys: Tensor[] = [];
      for (const i of indices) {
        const s = ds.get(i) as Partial<Sample> | null;
        if (s === null || typeof s !== 'object' || !(s.x instanceof Tensor) || !(s.y instanceof Tensor)) {
          throw new ValueError(
            `DataLoader: dataset.get(${i}) returned ${describeValue(s)}, expected {x: Tensor, y: Tensor}`,
          );
        }
        if (xs.length > 0) sameShape(i, 'x', xs[0], s.x);
        if (ys.length > 0) sameShape(i, 'y', ys[0], s.y);
        xs.push(s.x);
        ys.push(s.y);
      }
      return { x: stack(xs, 0), y: stack(ys, 0) };
    });
  }
}

function sameShape(i: number, name: string, first: Tensor, t: Tensor): void {
  if (first.shape.join() !== t.shape.join() || first.dtype !== t.dtype) {
    throw new ShapeError(
      `DataLoader: cannot stack sample ${i}: its ${name} is ${fmtShape(t.shape)} ${t.dtype}, but the batch's first is ${fmtShape(first.shape)} ${first.dtype}`,
    );
  }
}

type Scheduler = (cb: () => void) => void;

/** The fastest way back through the event loop: setImmediate (Node), a MessageChannel (browsers), else setTimeout. */
const schedule: Scheduler = (() => {
  const g = globalThis as { setImmediate?: Scheduler; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') return (cb) => g.setImmediate?.(cb);
  if (typeof g.MessageChannel === 'function') {
    const queue: (() => void)[] = [];
    const channel = new g.MessageChannel();
    channel.port1.onmessage = () => queue.shift()?.();
    return (cb) => {
      queue.push(cb);
      channel.port2.postMessage(null);
    };
  }
  return (cb) => setTimeout(cb, 0);
})();

/**
 * Marks a batch whose tensors were made for the consumer alone: a training loop that sees the
 * mark disposes them after the step (a plain array of batches, re-yielded every epoch, has none).
 */
export const OWNED_BATCH: unique symbol = Symbol.for('axon.ownedBatch') as never;

function markOwned(sample: Sample): Sample {
  Object.defineProperty(sample, OWNED_BATCH, { value: true });
  return sample;
}

/** Whether `batch` was handed over by a loader to be freed after use. */
export function isOwnedBatch(batch: object): boolean {
  return (batch as { [OWNED_BATCH]?: boolean })[OWNED_BATCH] === true;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => schedule(resolve));
}
