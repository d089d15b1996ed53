import type { BatchInfo, Callback } from '../types';

/** Thrown by NaNGuard: where the loss stopped being finite, and its value. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly loss: number,
  ) {
    super(
      `NaNGuard: the training loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before the optimizer step (check the data for NaN/Inf, lower the learning rate, or clip gradients)`,
    );
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Stops training, with a NonFiniteLossError naming the epoch, the batch (1-based) and the value,
 * as soon as a training batch's loss is NaN or ±Infinity — before its backward pass and optimizer
 * step, so the weights stay those that gave the last finite loss.
 */
export class NaNGuard implements Callback {
  onBatchLoss(loss: number, info: BatchInfo): void {
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(info.epoch, info.batch, loss);
  }
}
