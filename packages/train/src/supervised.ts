/**
 * The default step, for a model without its own `trainStep`: forward, a loss of (prediction,
 * target), backward into the parameters' `.grad`, every optimizer's step, zeroGrad — and the
 * supervised evaluation (forward, loss, metrics). Its loss is read back every batch: NaNGuard's
 * `onBatchLoss` sees it before the optimizer step, and the metrics count on the host.
 */
import { noGrad } from '@axon/autograd';
import type { Module } from '@axon/layers';
import { fmtShape, ShapeError, Tensor, ValueError } from '@axon/tensor';
import { disposeBatch, isOwnedBatch } from './data';
import type { MetricAccumulator } from './metrics';
import type { Batch, BatchInfo, FitContext, Logs, LossFn } from './types';

type ForwardModule = { forward(x: Tensor): unknown };

/**
 * The supervised update on a checked batch: forward, loss, `beforeBackward(loss)`, backward into
 * the parameters' `.grad`, every optimizer's step (under noGrad), zeroGrad. Returns the prediction
 * and the loss tensor for the caller to read or log.
 */
function update(
  model: Module,
  batch: Batch,
  loss: LossFn,
  ctx: FitContext,
  beforeBackward: (l: Tensor) => void,
): { pred: Tensor; l: Tensor } {
  const { x, y } = batch as Required<Batch>;
  const pred = forward(model, x, 'fit');
  const l = scalarLoss(loss, pred, y, 'fit');
  if (!l.requiresGrad) {
    throw new ValueError(
      'fit: the loss does not depend on any parameter that requires a gradient (is the model built from Module parameters?)',
    );
  }
  beforeBackward(l);
  l.backward();
  const optimizers = Object.values(ctx.optimizers);
  noGrad(() => {
    for (const o of optimizers) o.step();
  });
  for (const o of optimizers) o.zeroGrad();
  model.zeroGrad();
  return { pred, l };
}

/**
 * One supervised training step on a checked batch (call inside a `tidy`): returns the batch loss,
 * read back. `onBatchLoss` callbacks see it before the backward pass.
 */
export function supervisedTrainStep(
  model: Module,
  batch: Batch,
  size: number,
  loss: LossFn,
  metrics: MetricAccumulator[],
  ctx: FitContext,
  info: BatchInfo,
): number {
  let value = 0;
  const { pred } = update(model, batch, loss, ctx, (l) => {
    value = l.item();
    for (const cb of ctx.callbacks) cb.onBatchLoss?.(value, info, ctx);
  });
  noGrad(() => {
    for (const m of metrics) m.update(pred, batch.y as Tensor, size);
  });
  return value;
}

/**
 * The supervised step under an explicit `logEvery` (call inside a `tidy`): the same update, but
 * nothing is read back — it returns the batch's logs as device scalars ({loss, ...metrics}) for
 * fit's log window to sum and read back every `logEvery` batches. NaNGuard then checks each
 * read-back, after the steps in between have run.
 */
export function supervisedDeviceStep(
  model: Module,
  batch: Batch,
  loss: LossFn,
  metrics: MetricAccumulator[],
  ctx: FitContext,
): Record<string, Tensor | number> {
  const { pred, l } = update(model, batch, loss, ctx, () => {});
  const logs: Record<string, Tensor | number> = { loss: l };
  noGrad(() => {
    for (const m of metrics) logs[m.name] = m.batchValue(pred, batch.y as Tensor);
  });
  return logs;
}

/** One supervised evaluation batch (call inside `noGrad` and a `tidy`): its loss (0 without one), metrics updated. */
export function supervisedEvalBatch(
  model: Module,
  batch: Batch,
  size: number,
  loss: LossFn | undefined,
  metrics: MetricAccumulator[],
  what: string,
): number {
  const { x, y } = batch as Required<Batch>;
  const pred = forward(model, x, what);
  const value = loss === undefined ? 0 : scalarLoss(loss, pred, y, what).item();
  for (const m of metrics) m.update(pred, y, size);
  return value;
}

/** Frees a batch after its step when fit was told to, or when a DataLoader handed it over. */
export function releaseBatch(b: unknown, disposeBatches: boolean): void {
  if (disposeBatches || isOwnedBatch(b as object)) disposeBatch(b as Batch);
}

function forward(model: Module, x: Tensor, what: string): Tensor {
  const out = (model as unknown as ForwardModule).forward(x);
  if (!(out instanceof Tensor)) {
    throw new ValueError(
      `${what}: model.forward(x) must return a Tensor, got ${out === null ? 'null' : typeof out}`,
    );
  }
  return out;
}

function scalarLoss(loss: LossFn, pred: Tensor, y: Tensor, what: string): Tensor {
  const l = typeof loss === 'function' ? loss(pred, y) : loss.forward(pred, y);
  if (!(l instanceof Tensor)) throw new ValueError(`${what}: the loss must return a Tensor`);
  if (l.size !== 1) {
    throw new ShapeError(
      `${what}: the loss must be a scalar (reduction 'mean' or 'sum'), got shape ${fmtShape(l.shape)}`,
    );
  }
  return l;
}

/** The running logs of a supervised epoch: the mean loss so far and each metric. */
export function running(lossSum: number, seen: number, metrics: MetricAccumulator[]): Logs {
  const logs: Logs = { loss: lossSum / seen };
  for (const m of metrics) logs[m.name] = m.value();
  return logs;
}

export function checkMetricNames(metrics: MetricAccumulator[], what: string): void {
  const names = new Set<string>(['loss', 'lr']);
  for (const m of metrics) {
    if (names.has(m.name) || m.name.startsWith('val_') || m.name.startsWith('lr_')) {
      throw new ValueError(
        `${what}: metric name '${m.name}' is used twice or reserved (loss, lr, lr_*, val_*)`,
      );
    }
    names.add(m.name);
  }
}

export function checkLoss(loss: unknown, what: string): void {
  const ok =
    typeof loss === 'function' ||
    (loss !== null &&
      typeof loss === 'object' &&
      typeof (loss as { forward?: unknown }).forward === 'function');
  if (!ok) throw new ValueError(`${what}: loss must be a function (pred, y) => Tensor or a loss Module`);
}
