import { noGrad } from '@axon/autograd';
import { isOwnedBatch } from '@axon/datasets';
import { Module } from '@axon/layers';
import { checkPositiveInt, fmtShape, ShapeError, Tensor, tidy, ValueError } from '@axon/tensor';
import { History } from './callbacks/history';
import { checkBatch, type EpochStream, isDataSource, openEpoch } from './data';
import { createMetric, type MetricAccumulator, type MetricSpec } from './metrics';
import { Progress, type ProgressMode, type ProgressOutput } from './progress';
import type {
  Batch,
  Callback,
  CallbackResult,
  DataSource,
  FitContext,
  Logs,
  LossFn,
  OptimizerLike,
} from './types';

export interface FitOptions {
  /** Updates the model's parameters from their `.grad` (an @axon/optim optimizer). */
  optimizer: OptimizerLike;
  /** (pred, y) → scalar loss tensor, or a loss Module such as `new CrossEntropyLoss()`. */
  loss: LossFn;
  trainData: DataSource;
  /** Evaluated (no gradients, eval mode) after every epoch into 'val_loss' and 'val_<metric>'. */
  valData?: DataSource;
  /** Total epochs: training runs epochs `initialEpoch` .. `epochs - 1`. */
  epochs: number;
  /** First epoch index (0-based) to run: what `resume` returns, to continue a checkpointed run. */
  initialEpoch?: number;
  metrics?: MetricSpec[];
  callbacks?: Callback[];
  /** A progress bar on a TTY, plain lines per epoch otherwise or when CI is set (default 'auto'; true is the same; false: silent). */
  progress?: ProgressMode;
  /** Where progress goes (default process.stdout). */
  progressOutput?: ProgressOutput;
  /**
   * Dispose each batch's x and y after its step. Not needed for a DataLoader from @axon/datasets
   * (its batches are marked as the consumer's and are always freed) nor for batches a synchronous
   * source creates while it is asked for the next one (freed with the step); set it for another
   * async source that makes fresh tensors per batch (not for one that re-yields the same tensors).
   */
  disposeBatches?: boolean;
}

export interface EvaluateOptions {
  /** The loss to report as 'loss' (mean over batches weighted by batch size); left out if not given. */
  loss?: LossFn;
  metrics?: MetricSpec[];
  /** As in fit. */
  disposeBatches?: boolean;
}

type ForwardModule = { forward(x: Tensor): unknown };

/**
 * Trains `model` for `epochs` epochs and resolves to its History. Each step runs inside a `tidy`:
 * forward, loss, backward to the parameters' `.grad`, `optimizer.step()` (under noGrad),
 * `zeroGrad()` — nothing the step creates outlives it. The model is in train mode while training
 * and in eval mode (under noGrad) while validating; the modes it had are restored at the end.
 */
export async function fit(model: Module, options: FitOptions): Promise<History> {
  const o = checkFitOptions(model, options);
  const history = new History();
  const callbacks: Callback[] = [history, ...o.callbacks];
  const metrics = o.metrics.map(createMetric);
  checkMetricNames(metrics, 'fit');
  const ctx: FitContext = {
    model,
    optimizer: o.optimizer,
    epochs: o.epochs,
    initialEpoch: o.initialEpoch,
    hasValData: o.valData !== undefined,
    callbacks,
    batchesPerEpoch: undefined,
  };
  const modes = saveModes(model);
  const progress = await Progress.create(o.progress, o.progressOutput);
  let stop = false;
  const run = async (hook: (cb: Callback) => CallbackResult | Promise<CallbackResult>) => {
    for (const cb of callbacks) if ((await hook(cb)) === 'stop') stop = true;
  };
  let lastLogs: Logs = {};
  try {
    model.train();
    model.zeroGrad();
    o.optimizer.zeroGrad();
    await run((cb) => cb.onTrainBegin?.(ctx));
    for (let epoch = o.initialEpoch; epoch < o.epochs && !stop; epoch++) {
      await run((cb) => cb.onEpochBegin?.(epoch, ctx));
      if (stop) break;
      const started = now();
      model.train();
      const stream = openEpoch(o.trainData, 'fit: trainData');
      progress?.epochBegin(epoch, o.epochs, ctx.batchesPerEpoch ?? stream.length);
      for (const m of metrics) m.reset();
      let lossSum = 0;
      let seen = 0;
      let batch = 0;
      let finished = false;
      try {
        for (;;) {
          const pre = stream.sync ? undefined : await stream.next();
          const step = trainStep(model, o, ctx, metrics, stream, pre, epoch, batch);
          if (!step) {
            finished = true;
            break;
          }
          lossSum += step.loss * step.size;
          seen += step.size;
          await run((cb) => cb.onBatchEnd?.(batch, { loss: step.loss, size: step.size }, ctx));
          batch++;
          progress?.batchEnd(batch, running(lossSum, seen, metrics));
          if (stop) break;
        }
      } finally {
        if (!finished) await stream.close();
      }
      if (batch === 0) {
        throw new ValueError(
          `fit: trainData gave no batches in epoch ${epoch + 1}${
            epoch > o.initialEpoch && typeof o.trainData !== 'function'
              ? ' (an iterator or generator runs only once: pass a function that returns a fresh one per epoch)'
              : ''
          }`,
        );
      }
      if (finished) ctx.batchesPerEpoch = batch;
      const logs: Logs = running(lossSum, seen, metrics);
      if (o.valData !== undefined) {
        const val = await evaluateData(
          model,
          o.valData,
          o.loss,
          o.metrics,
          o.disposeBatches,
          'fit: valData',
          epoch,
        );
        for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
      }
      const lr = o.optimizer.paramGroups?.[0]?.lr;
      if (typeof lr === 'number') logs.lr = lr;
      progress?.epochEnd(epoch, o.epochs, logs, (now() - started) / 1000);
      lastLogs = logs;
      await run((cb) => cb.onEpochEnd?.(epoch, { ...logs }, ctx));
    }
    await run((cb) => cb.onTrainEnd?.({ ...lastLogs }, ctx));
  } finally {
    progress?.close();
    restoreModes(model, modes);
  }
  return history;
}

/**
 * Evaluates `model` on `data` under noGrad in eval mode (its modes restored after): 'loss' (mean
 * over batches weighted by batch size, when a loss is given) and each metric.
 */
export async function evaluate(
  model: Module,
  data: DataSource,
  options: EvaluateOptions = {},
): Promise<Logs> {
  if (!(model instanceof Module)) throw new ValueError('evaluate: model must be a Module');
  if (!isDataSource(data))
    throw new ValueError(
      'evaluate: data must be an Iterable or AsyncIterable of {x, y} batches, or a function returning one',
    );
  if (options.loss !== undefined) checkLoss(options.loss, 'evaluate');
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) throw new ValueError('evaluate: metrics must be an array');
  return evaluateData(model, data, options.loss, metrics, options.disposeBatches ?? false, 'evaluate', 0);
}

async function evaluateData(
  model: Module,
  data: DataSource,
  loss: LossFn | undefined,
  specs: MetricSpec[],
  disposeBatches: boolean,
  what: string,
  epoch: number,
): Promise<Logs> {
  const metrics = specs.map(createMetric);
  checkMetricNames(metrics, what);
  const modes = saveModes(model);
  model.eval();
  let lossSum = 0;
  let seen = 0;
  let batch = 0;
  let finished = false;
  const stream = openEpoch(data, what);
  try {
    for (;;) {
      const pre = stream.sync ? undefined : await stream.next();
      const step = noGrad(() =>
        tidy(() => {
          const r = pre ?? stream.nextSync();
          if (r.done) return null;
          const size = checkBatch(r.value, what, epoch, batch);
          const { x, y } = r.value as Batch;
          const pred = forward(model, x, what);
          const value = loss === undefined ? 0 : scalarLoss(loss, pred, y, what).item();
          for (const m of metrics) m.update(pred, y, size);
          if (disposeBatches || isOwnedBatch(r.value)) disposeBatch(r.value);
          return { loss: value, size };
        }),
      );
      if (!step) {
        finished = true;
        break;
      }
      lossSum += step.loss * step.size;
      seen += step.size;
      batch++;
    }
  } finally {
    if (!finished) await stream.close();
    restoreModes(model, modes);
  }
  if (batch === 0) throw new ValueError(`${what}: the data gave no batches`);
  const logs: Logs = {};
  if (loss !== undefined) logs.loss = lossSum / seen;
  for (const m of metrics) logs[m.name] = m.value();
  return logs;
}

function trainStep(
  model: Module,
  o: Required<Omit<FitOptions, 'valData' | 'progressOutput'>>,
  ctx: FitContext,
  metrics: MetricAccumulator[],
  stream: EpochStream,
  pre: IteratorResult<Batch> | undefined,
  epoch: number,
  batch: number,
): { loss: number; size: number } | null {
  return tidy(() => {
    const r = pre ?? stream.nextSync();
    if (r.done) return null;
    const size = checkBatch(r.value, 'fit: trainData', epoch, batch);
    const { x, y } = r.value as Batch;
    const pred = forward(model, x, 'fit');
    const l = scalarLoss(o.loss, pred, y, 'fit');
    if (!l.requiresGrad) {
      throw new ValueError(
        'fit: the loss does not depend on any parameter that requires a gradient (is the model built from Module parameters?)',
      );
    }
    const value = l.item();
    for (const cb of ctx.callbacks) cb.onBatchLoss?.(value, { epoch, batch }, ctx);
    l.backward();
    noGrad(() => o.optimizer.step());
    o.optimizer.zeroGrad();
    model.zeroGrad();
    noGrad(() => {
      for (const m of metrics) m.update(pred, y, size);
    });
    if (o.disposeBatches || isOwnedBatch(r.value)) disposeBatch(r.value);
    return { loss: value, size };
  });
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

function disposeBatch(b: Batch): void {
  b.x.dispose();
  b.y.dispose();
}

function running(lossSum: number, seen: number, metrics: MetricAccumulator[]): Logs {
  const logs: Logs = { loss: lossSum / seen };
  for (const m of metrics) logs[m.name] = m.value();
  return logs;
}

function checkMetricNames(metrics: MetricAccumulator[], what: string): void {
  const names = new Set<string>(['loss', 'lr']);
  for (const m of metrics) {
    if (names.has(m.name) || m.name.startsWith('val_')) {
      throw new ValueError(`${what}: metric name '${m.name}' is used twice or reserved (loss, lr, val_*)`);
    }
    names.add(m.name);
  }
}

function checkLoss(loss: unknown, what: string): void {
  const ok =
    typeof loss === 'function' ||
    (loss !== null &&
      typeof loss === 'object' &&
      typeof (loss as { forward?: unknown }).forward === 'function');
  if (!ok) throw new ValueError(`${what}: loss must be a function (pred, y) => Tensor or a loss Module`);
}

function checkFitOptions(
  model: Module,
  options: FitOptions,
): Required<Omit<FitOptions, 'valData' | 'progressOutput'>> & Pick<FitOptions, 'valData' | 'progressOutput'> {
  if (!(model instanceof Module)) throw new ValueError('fit: model must be a Module');
  if (options === null || typeof options !== 'object') throw new ValueError('fit: options are required');
  const { optimizer, loss, trainData, valData, epochs, initialEpoch = 0 } = options;
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.zeroGrad !== 'function') {
    throw new ValueError('fit: optimizer must be an Optimizer (with step() and zeroGrad())');
  }
  checkLoss(loss, 'fit');
  if (!isDataSource(trainData)) {
    throw new ValueError(
      'fit: trainData must be an Iterable or AsyncIterable of {x, y} batches, or a function returning one',
    );
  }
  if (valData !== undefined && !isDataSource(valData)) {
    throw new ValueError(
      'fit: valData must be an Iterable or AsyncIterable of {x, y} batches, or a function returning one',
    );
  }
  checkPositiveInt('fit', 'epochs', epochs);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch > epochs) {
    throw new ValueError(`fit: initialEpoch must be an integer in [0, ${epochs}], got ${initialEpoch}`);
  }
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) throw new ValueError('fit: metrics must be an array');
  const callbacks = options.callbacks ?? [];
  if (!Array.isArray(callbacks) || callbacks.some((c) => c === null || typeof c !== 'object')) {
    throw new ValueError('fit: callbacks must be an array of callback objects');
  }
  const progress = options.progress ?? 'auto';
  if (progress !== true && progress !== false && progress !== 'auto') {
    throw new ValueError(`fit: progress must be true, false or 'auto', got ${JSON.stringify(progress)}`);
  }
  return {
    optimizer,
    loss,
    trainData,
    valData,
    epochs,
    initialEpoch,
    metrics,
    callbacks,
    progress,
    progressOutput: options.progressOutput,
    disposeBatches: options.disposeBatches ?? false,
  };
}

function saveModes(model: Module): [Module, boolean][] {
  return model.namedModules().map(([, m]) => [m, m.training]);
}

function restoreModes(_model: Module, modes: [Module, boolean][]): void {
  for (const [m, training] of modes) m.training = training;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
