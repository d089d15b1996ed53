/**
 * An exponential moving average of the generator's weights (Yazıcı et al. 2019, "The Unusual
 * Effectiveness of Averaging in GAN Training"; StyleGAN's G_ema): after every update,
 * ema ← decay · ema + (1 − decay) · generator, and samples are drawn from the average. The two
 * players' game makes the generator's weights circle around a good point rather than settle on it;
 * the average sits nearer the centre, and the papers find its samples better (in mnist-dcgan's
 * 12 epochs at a constant learning rate it scored the same as the trained generator, ±0.06).
 * Buffers (batch norm's running statistics) are copied, not averaged; they describe the current
 * generator's activations, near but not equal to the average's, so `GAN.updateAverageStatistics`
 * measures them for the averaged weights before sampling (layers' `updateBatchNorm`).
 */
import { noGrad } from '@axon/autograd';
import type { Module } from '@axon/layers';
import { add, assign, mul, ShapeError, tidy } from '@axon/tensor';

/** Moves `average`'s parameters towards `current`'s (same structure) by 1 − decay, copies its buffers. */
export function updateAverage(average: Module, current: Module, decay: number): void {
  const avg = average.namedParameters();
  const cur = current.namedParameters();
  if (avg.length !== cur.length) {
    throw new ShapeError(
      `updateAverage: expected modules of the same structure, got ${avg.length} and ${cur.length} parameters`,
    );
  }
  tidy(() =>
    noGrad(() => {
      for (const [i, [, a]] of avg.entries()) assign(a, add(mul(a, decay), mul(cur[i][1], 1 - decay)));
      const buffers = current.namedBuffers();
      for (const [i, [, b]] of average.namedBuffers().entries()) assign(b, buffers[i][1]);
    }),
  );
}
