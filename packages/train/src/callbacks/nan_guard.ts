/**
 * NaNGuard: stop training at the first non-finite training loss, saying where, instead of letting
 * NaN weights train on silently. The supervised step's loss is checked every batch before its
 * optimizer step; a custom step's logs are checked when they are read back.
 */
import type { BatchInfo, Callback, FitContext, Logs } from '../types';

/** Where a custom step's non-finite log was seen. */
export interface NonFiniteDetail {
  /** The logs key. */
  key: string;
  /** The first batch (0-based) of the read-back window whose mean it is; the window ends at `batch`. */
  from: number;
}

/** Thrown by NaNGuard: where the loss (or a custom step's logged scalar) stopped being finite, and its value. */
export class NonFiniteLossError extends Error {
  /** The logs key: 'loss' for the supervised step. */
  readonly key: string;

  /**
   * `batch` is -1 when a custom step's value was read back at the epoch's end (a source of
   * unknown length); `detail` is given for custom steps.
   */
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly loss: number,
    readonly detail?: NonFiniteDetail,
  ) {
    super(message(epoch, batch, loss, detail));
    this.name = 'NonFiniteLossError';
    this.key = detail?.key ?? 'loss';
  }
}

function message(epoch: number, batch: number, loss: number, detail: NonFiniteDetail | undefined): string {
  const advice = 'check the data for NaN/Inf, lower the learning rate, or clip gradients';
  if (!detail) {
    return `NaNGuard: the training loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before the optimizer step (${advice})`;
  }
  const where =
    batch < 0
      ? `at the end of epoch ${epoch + 1} (its mean over the batches since the last read-back)`
      : `at epoch ${epoch + 1}, batch ${batch + 1} (its mean over batches ${detail.from + 1}-${batch + 1} of the epoch, read back then)`;
  return `NaNGuard: the logged '${detail.key}' is ${loss} ${where}; training stopped after those steps (set fit's logEvery: 1 to stop at the first bad batch; ${advice})`;
}

/**
 * Stops training with a NonFiniteLossError naming the epoch, the batch (1-based) and the value:
 * - supervised step: as soon as a training batch's loss is NaN or ±Infinity — before its backward
 *   pass and optimizer step, so the weights stay those that gave the last finite loss;
 * - a model's own trainStep: when a logged scalar read back (every `logEvery` batches, see fit) is
 *   not finite — the steps up to that read-back have run, so set `logEvery: 1` to stop at the first.
 */
export class NaNGuard implements Callback {
  onBatchLoss(loss: number, info: BatchInfo): void {
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(info.epoch, info.batch, loss);
  }

  onBatchEnd(batch: number, logs: Logs, ctx: FitContext): void {
    // The supervised step reading every batch is guarded in onBatchLoss, before its update.
    if (!ctx || (!ctx.customStep && ctx.logEvery === 1)) return;
    const from = ctx.logEvery === 'epoch' ? 0 : batch - (batch % ctx.logEvery);
    for (const [key, v] of Object.entries(logs)) {
      if (key !== 'size' && !Number.isFinite(v))
        throw new NonFiniteLossError(ctx.epoch, batch, v, { key, from });
    }
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): void {
    // The supervised step reading every batch is guarded in onBatchLoss, before its update.
    if (!ctx || (!ctx.customStep && ctx.logEvery === 1)) return;
    for (const [key, v] of Object.entries(logs)) {
      if (key.startsWith('val_') || key === 'lr' || key.startsWith('lr_')) continue;
      if (!Number.isFinite(v)) throw new NonFiniteLossError(epoch, -1, v, { key, from: 0 });
    }
  }
}
