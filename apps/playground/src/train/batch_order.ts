/**
 * The order minibatches visit the training images: a Fisher–Yates shuffle per epoch, keyed by
 * (seed, epoch) with the counter RNG of @axon/tensor, so a run is repeatable and needs no state
 * but the epoch number. Host-side (the indices then select rows on the device).
 */
import { randomUint32 } from '@axon/tensor';

export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = (seed * 1_000_003 + epoch) >>> 0;
  for (let i = n - 1; i > 0; i--) {
    const j = randomUint32(key, i) % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
