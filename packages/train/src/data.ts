/**
 * Reading data sources: one pass per epoch, synchronous where possible (so a step can pull its
 * batch inside its own `tidy`), and checking each batch.
 */
import { describeValue, fmtShape, ShapeError, Tensor, ValueError } from '@axon/tensor';
import type { Batch, DataSource } from './types';

/**
 * One pass over a data source. A synchronous source is pulled with `nextSync()` (so the training
 * step can ask for the next batch inside its `tidy`, and batches the source makes on the fly are
 * freed with the step); an asynchronous one with `next()`.
 */
export interface EpochStream {
  readonly sync: boolean;
  nextSync(): IteratorResult<Batch>;
  next(): Promise<IteratorResult<Batch>>;
  /** Ends the pass early (lets a generator run its `finally`). */
  close(): Promise<void>;
  /** The number of batches, when the source knows it up front (an array, a DataLoader: a numeric `length`). */
  readonly length: number | undefined;
}

/**
 * The mark a data loader puts on a batch whose tensors were made for the consumer alone (a
 * non-enumerable `true` under this registry symbol): fit frees such a batch after its step. The key
 * is the protocol, as `Symbol.iterator` is for iteration: any loader can set it (`@axon/datasets`'
 * DataLoader does) without train depending on that package.
 */
export const OWNED_BATCH: unique symbol = Symbol.for('axon.ownedBatch') as never;

/** Whether `batch` was handed over by a loader to be freed after use (see OWNED_BATCH). */
export function isOwnedBatch(batch: object): boolean {
  return (batch as { [OWNED_BATCH]?: boolean })[OWNED_BATCH] === true;
}

export function isDataSource(x: unknown): x is DataSource {
  return typeof x === 'function' || isIterable(x) || isAsyncIterable(x);
}

function isIterable(x: unknown): x is Iterable<Batch> {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Batch> {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** Starts one pass over `source` (a function is called for a fresh iterable). `what` names it in errors. */
export function openEpoch(source: DataSource, what: string): EpochStream {
  const iterable = typeof source === 'function' ? source() : source;
  if (isAsyncIterable(iterable)) {
    const it = iterable[Symbol.asyncIterator]();
    return {
      sync: false,
      length: knownLength(iterable),
      nextSync: () => {
        throw new ValueError(`${what}: an async source cannot be read synchronously`);
      },
      next: () => it.next(),
      close: async () => {
        await it.return?.();
      },
    };
  }
  if (isIterable(iterable)) {
    const it = iterable[Symbol.iterator]();
    return {
      sync: true,
      length: knownLength(iterable),
      nextSync: () => it.next(),
      next: async () => it.next(),
      close: async () => {
        it.return?.();
      },
    };
  }
  throw new ValueError(
    `${what}: expected an Iterable or AsyncIterable of {x, y} batches, or a function returning one${
      typeof source === 'function'
        ? ` (the function returned ${describeValue(iterable)})`
        : `, got ${describeValue(source)}`
    }`,
  );
}

/** A source's own batch count: a non-negative integer `length` (arrays, data loaders), else unknown. */
export function knownLength(iterable: object): number | undefined {
  const n = (iterable as { length?: unknown }).length;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Checks a batch and returns its size (the first axis of x; 1 for a 0-d x). `needY`: the
 * supervised path needs targets; a custom step may get batches of `x` alone.
 */
export function checkBatch(b: unknown, what: string, epoch: number, index: number, needY = true): number {
  const where = `${what}: batch ${index + 1} of epoch ${epoch + 1}`;
  const expected = needY ? '{x: Tensor, y: Tensor}' : '{x: Tensor, y?: Tensor}';
  if (b === null || typeof b !== 'object')
    throw new ValueError(`${where} is ${describeValue(b)}, expected ${expected}`);
  const { x, y } = b as Partial<Batch>;
  if (!(x instanceof Tensor) || (needY || y !== undefined ? !(y instanceof Tensor) : false)) {
    const hint =
      needY && x instanceof Tensor && y === undefined
        ? ' (batches without targets need a model with its own trainStep, or evalStep to evaluate)'
        : '';
    throw new ValueError(
      `${where}: expected ${expected}, got keys ${Object.keys(b).join(', ') || '(none)'}${hint}`,
    );
  }
  if (x.isDisposed || y?.isDisposed) {
    throw new ValueError(
      `${where}: its ${x.isDisposed ? 'x' : 'y'} tensor is disposed (a source that re-yields batches it made in an earlier step must keep() them)`,
    );
  }
  if (y && x.rank > 0 && y.rank > 0 && x.shape[0] !== y.shape[0]) {
    throw new ShapeError(
      `${where}: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} differ in batch size (first axis)`,
    );
  }
  return x.rank > 0 ? x.shape[0] : 1;
}

/** Frees a batch's x and y. */
export function disposeBatch(b: Batch): void {
  b.x.dispose();
  b.y?.dispose();
}
