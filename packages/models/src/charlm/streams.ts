/**
 * Batches for truncated backpropagation through time. A carried recurrent state only makes sense
 * if row b of batch i+1 continues row b of batch i, which shuffled windows (`TokenWindows`) break:
 * here the token sequence is cut into `batchSize` contiguous streams, and batch i holds the i-th
 * `seqLen`-long piece of every stream (the layout of Zaremba et al. 2014 and PyTorch's
 * word_language_model). Each epoch may start the streams at another offset, so the cut points
 * move between epochs.
 */
import { checkOptions, checkPositiveInt, describeValue, type Tensor, tensor, ValueError } from '@axon/tensor';

export interface StreamBatchOptions {
  /** Parallel streams, the rows of every batch. */
  batchSize: number;
  /** Time steps per batch (the truncation length). */
  seqLen: number;
  /**
   * The first token used in epoch e is `offset(e)` (default: 0 for every epoch). A seeded random
   * offset in [0, seqLen) varies the cut points between epochs.
   */
  offset?: (epoch: number) => number;
}

/** x [batchSize, seqLen] int32 and its next-token targets y, the same shape. */
export interface StreamBatch {
  x: Tensor;
  y: Tensor;
}

/**
 * An epoch's batches over `ids` for a carried-state model: batch i row b is tokens
 * `start_b + i·seqLen … + seqLen − 1` with start_b = offset + b·streamLength, y the same shifted by
 * one. Iterating runs one epoch (the epoch counter advances each time); `length` is the number
 * of batches, the same every epoch.
 */
export function streamBatches(
  ids: ArrayLike<number>,
  options: StreamBatchOptions,
): Iterable<StreamBatch> & { length: number } {
  const fn = 'streamBatches';
  const o = checkOptions(fn, options);
  const batchSize = checkPositiveInt(fn, 'batchSize', o.batchSize);
  const seqLen = checkPositiveInt(fn, 'seqLen', o.seqLen);
  if (o.offset !== undefined && typeof o.offset !== 'function') {
    throw new ValueError(
      `${fn}: expected offset to be a function of the epoch, got ${describeValue(o.offset)}`,
    );
  }
  const offsetOf = (o.offset as ((epoch: number) => number) | undefined) ?? (() => 0);
  // Leave room for the largest offset we accept (seqLen - 1) and the one-token shift of y.
  const streamLength = Math.floor((ids.length - seqLen) / batchSize);
  const length = Math.floor((streamLength - 1) / seqLen);
  if (length < 1) {
    throw new ValueError(
      `${fn}: ${ids.length} tokens are too few for one batch of ${batchSize} streams × ${seqLen} steps (need at least ${batchSize * (seqLen + 1) + seqLen + batchSize})`,
    );
  }
  let epoch = 0;
  return {
    length,
    *[Symbol.iterator]() {
      const offset = offsetOf(epoch++);
      if (!Number.isInteger(offset) || offset < 0 || offset >= seqLen) {
        throw new ValueError(
          `${fn}: expected offset(epoch) to be an integer in [0, ${seqLen}), got ${offset}`,
        );
      }
      for (let i = 0; i < length; i++) {
        const x = new Int32Array(batchSize * seqLen);
        const y = new Int32Array(batchSize * seqLen);
        for (let b = 0; b < batchSize; b++) {
          const start = offset + b * streamLength + i * seqLen;
          for (let t = 0; t < seqLen; t++) {
            x[b * seqLen + t] = ids[start + t];
            y[b * seqLen + t] = ids[start + t + 1];
          }
        }
        const shape = [batchSize, seqLen];
        yield { x: tensor(x, { shape, dtype: 'int32' }), y: tensor(y, { shape, dtype: 'int32' }) };
      }
    },
  };
}
