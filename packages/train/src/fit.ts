/**
 * The training loop, the same for every model family: `fit` runs epochs of batches, the
 * optimizers, callbacks, progress, validation and checkpoints, and calls the step — the model's
 * own `trainStep` when it has one (step.ts), else the supervised step (supervised.ts). `evaluate`
 * runs `evalStep`, or the supervised evaluation. Each step is one `tidy`: nothing it creates
 * outlives it but the on-device sums of its logs (step_logs.ts).
 */
import { noGrad } from '@axon/autograd';
import type { Module } from '@axon/layers';
import { Generator, tidy, ValueError } from '@axon/tensor';
import { History } from './callbacks/history';
import { checkBatch, type EpochStream, knownLength, openEpoch } from './data';
import {
  checkEvaluateOptions,
  checkFitOptions,
  type EvaluateOptions,
  type FitConfig,
  type FitOptions,
} from './fit_options';
import { createMetric, type MetricAccumulator, type MetricSpec } from './metrics';
import { Progress } from './progress';
import { Context, defaultOptimizer, epochSeed, hasEvalStep } from './step';
import { LogMeans, LogWindow, windowMeans } from './step_logs';
import {
  checkMetricNames,
  releaseBatch,
  running,
  supervisedDeviceStep,
  supervisedEvalBatch,
  supervisedTrainStep,
} from './supervised';
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

export type { EvaluateOptions, FitOptions } from './fit_options';

type Hook = (cb: Callback) => CallbackResult | Promise<CallbackResult>;

/** What one epoch of training needs. */
interface EpochEnv {
  model: Module;
  o: FitConfig;
  ctx: FitContext;
  stream: EpochStream;
  epoch: number;
  progress: Progress | null;
  metrics: MetricAccumulator[];
  /** Runs a hook on every callback; true when one asked to stop. */
  run: (hook: Hook) => Promise<boolean>;
}

interface EpochResult {
  logs: Logs;
  batches: number;
  /** The source ran out (rather than a callback stopping training). */
  finished: boolean;
}

/**
 * Trains `model` for `epochs` epochs and resolves to its History. With the model's own
 * `trainStep(batch, ctx)`, each step calls it (see StepContext) and its logs are read back every
 * `logEvery` batches; otherwise each step is the supervised one: forward, loss, backward to the
 * parameters' `.grad`, every optimizer's `step()` (under noGrad), `zeroGrad()`. Each step runs
 * inside a `tidy`. The model is in train mode while training and in eval mode (under noGrad) while
 * validating; the modes it had are restored at the end.
 */
export async function fit(model: Module, options: FitOptions): Promise<History> {
  const o = checkFitOptions(model, options);
  const history = new History();
  const callbacks: Callback[] = [history, ...o.callbacks];
  const metrics = o.metrics.map(createMetric);
  checkMetricNames(metrics, 'fit');
  const modes = saveModes(model);
  const progress = await Progress.create(o.progress, o.progressOutput);
  const logEvery = o.logEvery ?? (o.custom ? (progress?.usesBar ? 10 : 'epoch') : 1);
  const known = typeof o.trainData === 'function' ? undefined : knownLength(o.trainData);
  let stepPending = o.initialStep === undefined && o.initialEpoch > 0 && known === undefined;
  const ctx: FitContext = {
    model,
    optimizers: o.optimizers,
    optimizer: defaultOptimizer(o.optimizers),
    epochs: o.epochs,
    initialEpoch: o.initialEpoch,
    hasValData: o.valData !== undefined,
    callbacks,
    batchesPerEpoch: undefined,
    epoch: o.initialEpoch,
    step: o.initialStep ?? o.initialEpoch * (known ?? 0),
    customStep: o.custom,
    logEvery,
    seed: o.seed,
    generator: new Generator(epochSeed(o.seed, o.initialEpoch, 0)),
  };
  let stop = false;
  const run = async (hook: Hook): Promise<boolean> => {
    for (const cb of callbacks) if ((await hook(cb)) === 'stop') stop = true;
    return stop;
  };
  let lastLogs: Logs = {};
  try {
    model.train();
    model.zeroGrad();
    for (const opt of Object.values(o.optimizers)) opt.zeroGrad();
    await run((cb) => cb.onTrainBegin?.(ctx));
    for (let epoch = o.initialEpoch; epoch < o.epochs && !stop; epoch++) {
      ctx.epoch = epoch;
      await run((cb) => cb.onEpochBegin?.(epoch, ctx));
      if (stop) break;
      model.train();
      ctx.generator.manualSeed(epochSeed(o.seed, epoch, 0));
      const stream = openEpoch(o.trainData, 'fit: trainData');
      if (stepPending) {
        ctx.step = o.initialEpoch * (stream.length ?? 0);
        stepPending = false;
      }
      progress?.epochBegin(epoch, o.epochs, ctx.batchesPerEpoch ?? stream.length);
      const env: EpochEnv = { model, o, ctx, stream, epoch, progress, metrics, run };
      const r = o.custom || logEvery !== 1 ? await windowedEpoch(env) : await supervisedEpoch(env);
      if (r.batches === 0) {
        throw new ValueError(
          `fit: trainData gave no batches in epoch ${epoch + 1}${
            epoch > o.initialEpoch && typeof o.trainData !== 'function'
              ? ' (an iterator or generator runs only once: pass a function that returns a fresh one per epoch)'
              : ''
          }`,
        );
      }
      if (r.finished) ctx.batchesPerEpoch = r.batches;
      const logs = r.logs;
      if (o.valData !== undefined) {
        const val = o.evalStep
          ? await evaluateSteps(model, o.valData, {
              what: 'fit: valData',
              optimizers: o.optimizers,
              disposeBatches: o.disposeBatches,
              epoch,
              step: ctx.step,
              generator: new Generator(epochSeed(o.seed, epoch, 1)),
            })
          : await evaluateData(model, o.valData, o.loss, o.metrics, o.disposeBatches, 'fit: valData', epoch);
        for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
      }
      Object.assign(logs, learningRates(o.optimizers));
      progress?.epochEnd(epoch, o.epochs, logs);
      lastLogs = logs;
      await run((cb) => cb.onEpochEnd?.(epoch, { ...logs }, ctx));
    }
    await run((cb) => cb.onTrainEnd?.({ ...lastLogs }, ctx));
  } finally {
    progress?.close();
    restoreModes(modes);
  }
  return history;
}

/** One epoch of the supervised step: every batch's loss read back (onBatchLoss, onBatchEnd), metrics on the host. */
async function supervisedEpoch(env: EpochEnv): Promise<EpochResult> {
  const { model, o, ctx, stream, epoch, progress, metrics, run } = env;
  const loss = o.loss as LossFn;
  for (const m of metrics) m.reset();
  let lossSum = 0;
  let seen = 0;
  let batch = 0;
  let finished = false;
  let stop = false;
  try {
    for (;;) {
      const pre = stream.sync ? undefined : await stream.next();
      const step = tidy(() => {
        const r = pre ?? stream.nextSync();
        if (r.done) return null;
        const size = checkBatch(r.value, 'fit: trainData', epoch, batch);
        const value = supervisedTrainStep(model, r.value, size, loss, metrics, ctx, { epoch, batch });
        releaseBatch(r.value, o.disposeBatches);
        return { loss: value, size };
      });
      if (!step) {
        finished = true;
        break;
      }
      ctx.step++;
      lossSum += step.loss * step.size;
      seen += step.size;
      stop = await run((cb) => cb.onBatchEnd?.(batch, { loss: step.loss, size: step.size }, ctx));
      batch++;
      progress?.batchEnd(batch, running(lossSum, seen, metrics));
      if (stop) break;
    }
  } finally {
    if (!finished) await stream.close();
  }
  return { logs: batch > 0 ? running(lossSum, seen, metrics) : {}, batches: batch, finished };
}

/**
 * One epoch whose step logs stay on the device: the model's own trainStep, or the supervised step
 * under an explicit `logEvery` (its loss and metrics as device scalars, supervisedDeviceStep). The
 * logs are summed there and read back every `logEvery` batches, at the epoch's last batch when the
 * source tells its length, and at the epoch's end: `onBatchEnd` gets them (means since the
 * previous read-back) at those batches only.
 */
async function windowedEpoch(env: EpochEnv): Promise<EpochResult> {
  const { model, o, ctx, stream, epoch, progress, metrics, run } = env;
  const stepper = model as unknown as { trainStep(batch: Batch, ctx: Context): unknown };
  const step = (batch: Batch, index: number): unknown =>
    o.custom
      ? stepper.trainStep(
          batch,
          new Context(ctx.optimizers, model, epoch, index, ctx.step, ctx.generator, true),
        )
      : supervisedDeviceStep(model, batch, o.loss as LossFn, metrics, ctx);
  const window = new LogWindow(o.custom ? 'fit: trainStep' : 'fit');
  const epochLogs = new LogMeans();
  let shown: Logs = {};
  let batch = 0;
  let finished = false;
  let stop = false;
  try {
    try {
      for (;;) {
        const pre = stream.sync ? undefined : await stream.next();
        const size = tidy(() => {
          const r = pre ?? stream.nextSync();
          if (r.done) return null;
          const size = checkBatch(r.value, 'fit: trainData', epoch, batch, !o.custom);
          window.add(step(r.value, batch), size);
          releaseBatch(r.value, o.disposeBatches);
          return size;
        });
        if (size === null) {
          finished = true;
          break;
        }
        ctx.step++;
        let logs: Logs = { size };
        if (readBackDue(batch, ctx.logEvery, stream.length)) {
          const w = await window.read();
          epochLogs.add(w);
          logs = { ...windowMeans(w), size };
          shown = epochLogs.means();
        }
        stop = await run((cb) => cb.onBatchEnd?.(batch, logs, ctx));
        batch++;
        progress?.batchEnd(batch, shown);
        if (stop) break;
      }
    } finally {
      if (!finished) await stream.close();
    }
    if (!window.empty) epochLogs.add(await window.read());
  } finally {
    window.dispose();
  }
  return { logs: epochLogs.means(), batches: batch, finished };
}

/** Whether batch `batch` (0-based) of an epoch of `length` batches (if known) reads the logs back. */
function readBackDue(batch: number, logEvery: number | 'epoch', length: number | undefined): boolean {
  return (logEvery !== 'epoch' && (batch + 1) % logEvery === 0) || batch + 1 === length;
}

/** 'lr' of the only optimizer's first group, or 'lr_<name>' of each of several. */
function learningRates(optimizers: Readonly<Record<string, OptimizerLike>>): Logs {
  const logs: Logs = {};
  const entries = Object.entries(optimizers);
  for (const [name, opt] of entries) {
    const lr = opt.paramGroups?.[0]?.lr;
    if (typeof lr === 'number') logs[entries.length === 1 ? 'lr' : `lr_${name}`] = lr;
  }
  return logs;
}

/**
 * Evaluates `model` on `data` under noGrad in eval mode (its modes restored after). With the
 * model's own `evalStep`: the mean of each scalar it logs, weighted by batch size, read back once
 * at the end. Otherwise the supervised evaluation: 'loss' (mean over batches weighted by batch
 * size, when a loss is given) and each metric.
 */
export async function evaluate(
  model: Module,
  data: DataSource,
  options: EvaluateOptions = {},
): Promise<Logs> {
  const o = checkEvaluateOptions(model, data, options);
  if (hasEvalStep(model)) {
    return evaluateSteps(model, data, {
      what: 'evaluate',
      optimizers: {},
      disposeBatches: o.disposeBatches,
      epoch: 0,
      step: 0,
      generator: new Generator(epochSeed(o.seed, 0, 1)),
    });
  }
  return evaluateData(model, data, o.loss, o.metrics, o.disposeBatches, 'evaluate', 0);
}

interface EvalStepOptions {
  what: string;
  optimizers: Readonly<Record<string, OptimizerLike>>;
  disposeBatches: boolean;
  epoch: number;
  step: number;
  generator: Generator;
}

/** Runs the model's evalStep over `data` (noGrad, eval mode); the logs' means, read back once. */
async function evaluateSteps(model: Module, data: DataSource, e: EvalStepOptions): Promise<Logs> {
  const stepper = model as unknown as { evalStep(batch: Batch, ctx: Context): unknown };
  const modes = saveModes(model);
  model.eval();
  const window = new LogWindow(`${e.what}: evalStep`);
  let batch = 0;
  let finished = false;
  const stream = openEpoch(data, e.what);
  try {
    try {
      for (;;) {
        const pre = stream.sync ? undefined : await stream.next();
        const more = noGrad(() =>
          tidy(() => {
            const r = pre ?? stream.nextSync();
            if (r.done) return false;
            const size = checkBatch(r.value, e.what, e.epoch, batch, false);
            const sctx = new Context(e.optimizers, model, e.epoch, batch, e.step, e.generator, false);
            window.add(stepper.evalStep(r.value, sctx), size);
            releaseBatch(r.value, e.disposeBatches);
            return true;
          }),
        );
        if (!more) {
          finished = true;
          break;
        }
        batch++;
      }
    } finally {
      if (!finished) await stream.close();
      restoreModes(modes);
    }
    if (batch === 0) throw new ValueError(`${e.what}: the data gave no batches`);
    return windowMeans(await window.read());
  } finally {
    window.dispose();
  }
}

/** The supervised evaluation: loss (when given) and metrics over `data`, under noGrad in eval mode. */
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
          const value = supervisedEvalBatch(model, r.value, size, loss, metrics, what);
          releaseBatch(r.value, disposeBatches);
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
    restoreModes(modes);
  }
  if (batch === 0) throw new ValueError(`${what}: the data gave no batches`);
  const logs: Logs = {};
  if (loss !== undefined) logs.loss = lossSum / seen;
  for (const m of metrics) logs[m.name] = m.value();
  return logs;
}

function saveModes(model: Module): [Module, boolean][] {
  return model.namedModules().map(([, m]) => [m, m.training]);
}

function restoreModes(modes: [Module, boolean][]): void {
  for (const [m, training] of modes) m.training = training;
}
