/**
 * The data of the training workloads, made once and handed to every library as the same numbers:
 * real MNIST digits (the first N training images of `@axon/datasets`' `mnist`, in one seeded
 * shuffled order, cut into batches) and, for the LSTM, a seeded stream of 64 symbols (one-hot in,
 * the next symbol as the target: a character language model's step).
 */
import { mnist } from '@axon/datasets';
import { seededRandom as rng } from '@axon/testing';

export interface ImageBatches {
  /** How many batches there are; run k of a case uses batch k mod count. */
  count: number;
  batchSize: number;
  /** Per batch: pixels [batchSize, 1, 28, 28] in [0, 1], row-major. */
  x: Float32Array[];
  /** Per batch: the digits [batchSize]. */
  y: Int32Array[];
  /** Per batch: the digits one-hot [batchSize, 10] (for the libraries whose loss takes that). */
  oneHot: Float32Array[];
}

const cache = new Map<string, ImageBatches>();

/** How many training images the batches are drawn from (so that --quick and a full run agree). */
export const MNIST_POOL = 6400;

/**
 * `count` batches of `batchSize` MNIST training digits: the first max(MNIST_POOL,
 * count·batchSize) images, shuffled with `seed` (Fisher–Yates), cut in order; the first `count`
 * batches. The first batches are the same whatever `count` is.
 */
export async function mnistBatches(batchSize: number, count: number, seed = 0): Promise<ImageBatches> {
  const key = `${batchSize}/${count}/${seed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const n = Math.max(MNIST_POOL, batchSize * count);
  const ds = await mnist('train', { limit: n });
  const pixels = ds.x.dataSync() as Float32Array;
  const labels = ds.y.dataSync() as Int32Array;
  ds.x.dispose();
  ds.y.dispose();
  if (labels.length < n) throw new Error(`mnist gave ${labels.length} images, wanted ${n}`);
  const order = Array.from({ length: n }, (_, i) => i);
  const random = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const size = 28 * 28;
  const out: ImageBatches = { count, batchSize, x: [], y: [], oneHot: [] };
  for (let b = 0; b < count; b++) {
    const x = new Float32Array(batchSize * size);
    const y = new Int32Array(batchSize);
    const oneHot = new Float32Array(batchSize * 10);
    for (let i = 0; i < batchSize; i++) {
      const src = order[b * batchSize + i];
      x.set(pixels.subarray(src * size, (src + 1) * size), i * size);
      y[i] = labels[src];
      oneHot[i * 10 + labels[src]] = 1;
    }
    out.x.push(x);
    out.y.push(y);
    out.oneHot.push(oneHot);
  }
  cache.set(key, out);
  return out;
}

export interface SequenceBatches {
  count: number;
  /** Time steps, batch size and alphabet size. */
  steps: number;
  batchSize: number;
  vocab: number;
  /** Per batch: one-hot inputs [steps, batchSize, vocab] (sequence first). */
  x: Float32Array[];
  /** Per batch: the next symbols [steps, batchSize] (flattened in the same order). */
  y: Int32Array[];
  /** The same targets one-hot [steps·batchSize, vocab]. */
  yOneHot: Float32Array[];
}

/**
 * `count` batches of sequences over `vocab` symbols: a seeded stream where each symbol depends on
 * the previous one (a random walk with a few likely moves, so that there is something to learn),
 * the input at step t being symbol t and the target symbol t + 1.
 */
export function sequenceBatches(
  steps: number,
  batchSize: number,
  vocab: number,
  count: number,
  seed = 1,
): SequenceBatches {
  const random = rng(seed);
  const moves = [1, 1, 1, 2, 3, 5, 8, 13];
  const out: SequenceBatches = { count, steps, batchSize, vocab, x: [], y: [], yOneHot: [] };
  for (let b = 0; b < count; b++) {
    const x = new Float32Array(steps * batchSize * vocab);
    const y = new Int32Array(steps * batchSize);
    const yOneHot = new Float32Array(steps * batchSize * vocab);
    for (let i = 0; i < batchSize; i++) {
      let s = Math.floor(random() * vocab);
      for (let t = 0; t < steps; t++) {
        const next =
          random() < 0.9
            ? (s + moves[Math.floor(random() * moves.length)]) % vocab
            : Math.floor(random() * vocab);
        x[(t * batchSize + i) * vocab + s] = 1;
        y[t * batchSize + i] = next;
        yOneHot[(t * batchSize + i) * vocab + next] = 1;
        s = next;
      }
    }
    out.x.push(x);
    out.y.push(y);
    out.yOneHot.push(yOneHot);
  }
  return out;
}
