/**
 * fit's and evaluate's options, and their checks: every bad or contradictory option is reported
 * before training starts, naming the option, what was expected and what was given.
 */
import { Module } from '@axon/layers';
import {
  checkInteger,
  checkNonNegativeInt,
  checkPositiveInt,
  describeValue,
  Generator,
  ValueError,
} from '@axon/tensor';
import { isDataSource } from './data';
import type { MetricSpec } from './metrics';
import type { ProgressMode, ProgressOutput } from './progress';
import { hasEvalStep, hasTrainStep, isOptimizerLike } from './step';
import { checkLoss } from './supervised';
import type { Callback, DataSource, LossFn, OptimizerLike } from './types';

export interface FitOptions {
  /** Updates the model's parameters from their `.grad` (an @axon/optim optimizer). Give this or `optimizers`. */
  optimizer?: OptimizerLike;
  /**
   * Several optimizers by name (a GAN's `{ gen, disc }`): a custom step steps one with
   * `ctx.minimize(loss, 'gen')`; the supervised step steps them all. Names are identifiers.
   * Checkpoints save every one. `optimizer: opt` is the same as `optimizers: { default: opt }`.
   */
  optimizers?: Record<string, OptimizerLike>;
  /**
   * (pred, y) → scalar loss tensor, or a loss Module such as `new CrossEntropyLoss()`. Required for
   * the supervised step; with a `trainStep` it only serves to validate a model without `evalStep`.
   */
  loss?: LossFn;
  trainData: DataSource;
  /**
   * Evaluated after every epoch (no gradients, eval mode) into 'val_*' logs: by the model's
   * `evalStep` when it has one, else the supervised way ('val_loss' and 'val_<metric>').
   */
  valData?: DataSource;
  /** Total epochs: training runs epochs `initialEpoch` .. `epochs - 1`. */
  epochs: number;
  /** First epoch index (0-based) to run: what `resume` returns, to continue a checkpointed run. */
  initialEpoch?: number;
  /**
   * Training steps done before `initialEpoch`, where `ctx.step` continues. Default: initialEpoch ×
   * the length of the first epoch's source when it tells one (an array, a DataLoader), else 0.
   */
  initialStep?: number;
  /** The supervised step's metrics (with a `trainStep`: only for validating a model without `evalStep`). */
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
  /**
   * Seeds `ctx.generator`, the generator custom steps draw from (default 0): epoch e's draws are
   * keyed by (seed, e), so the same seed gives the same run and a resumed run continues it.
   */
  seed?: number;
  /**
   * Read the step's logged scalars back every this many batches (and at the last batch of an epoch
   * whose length the source tells), or only at each epoch's end ('epoch'). Between read-backs they
   * stay on the device: no step waits for it. Custom steps: default 10 when a progress bar is drawn
   * (a TTY), else 'epoch'. The supervised step: default 1, its loss read back every batch (and
   * checked by NaNGuard before the update); with another value its loss and metrics are device
   * scalars too, read back with the window (NaNGuard then stops after the window's steps).
   */
  logEvery?: number | 'epoch';
}

export interface EvaluateOptions {
  /** The loss to report as 'loss' (mean over batches weighted by batch size); left out if not given. Not with evalStep. */
  loss?: LossFn;
  /** Not with evalStep. */
  metrics?: MetricSpec[];
  /** As in fit. */
  disposeBatches?: boolean;
  /** Seeds the evalStep's `ctx.generator` (default 0). */
  seed?: number;
}

/** fit's options, checked and with defaults filled in. */
export interface FitConfig {
  optimizers: Readonly<Record<string, OptimizerLike>>;
  loss: LossFn | undefined;
  trainData: DataSource;
  valData: DataSource | undefined;
  epochs: number;
  initialEpoch: number;
  initialStep: number | undefined;
  metrics: MetricSpec[];
  callbacks: Callback[];
  progress: ProgressMode;
  progressOutput: ProgressOutput | undefined;
  disposeBatches: boolean;
  seed: number;
  /** Undefined: the default, which depends on the progress output. */
  logEvery: number | 'epoch' | undefined;
  /** The model trains with its own trainStep. */
  custom: boolean;
  /** The model validates with its own evalStep. */
  evalStep: boolean;
}

const DATA_SOURCE = 'an Iterable or AsyncIterable of {x, y} batches, or a function returning one';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkFitOptions(model: Module, options: FitOptions): FitConfig {
  if (!(model instanceof Module)) throw new ValueError('fit: model must be a Module');
  if (options === null || typeof options !== 'object') throw new ValueError('fit: options are required');
  const { loss, trainData, valData, epochs, initialEpoch = 0 } = options;
  const custom = hasTrainStep(model);
  const evalStep = hasEvalStep(model);
  const optimizers = checkOptimizers(options);
  if (!custom) {
    if (loss === undefined) {
      throw new ValueError(
        'fit: loss is required for the supervised step (the model has no trainStep of its own)',
      );
    }
    checkLoss(loss, 'fit');
  } else if (loss !== undefined) {
    if (evalStep) {
      throw new ValueError(
        "fit: loss is not used: the model's trainStep and evalStep compute their own losses (leave loss out)",
      );
    }
    if (valData === undefined) {
      throw new ValueError(
        "fit: loss is not used: the model's trainStep computes its own loss (a loss only validates a model without evalStep, and there is no valData)",
      );
    }
    checkLoss(loss, 'fit');
  }
  if (!isDataSource(trainData)) throw new ValueError(`fit: trainData must be ${DATA_SOURCE}`);
  if (valData !== undefined && !isDataSource(valData)) {
    throw new ValueError(`fit: valData must be ${DATA_SOURCE}`);
  }
  checkPositiveInt('fit', 'epochs', epochs);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch > epochs) {
    throw new ValueError(`fit: initialEpoch must be an integer in [0, ${epochs}], got ${initialEpoch}`);
  }
  const initialStep =
    options.initialStep === undefined
      ? undefined
      : checkNonNegativeInt('fit', 'initialStep', options.initialStep);
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) throw new ValueError('fit: metrics must be an array');
  if (custom && metrics.length > 0 && (evalStep || valData === undefined)) {
    throw new ValueError(
      `fit: metrics are computed by the supervised step, which this model does not use (it has a trainStep${
        evalStep ? ' and an evalStep' : ' and there is no valData'
      }): return them from the step's logs instead`,
    );
  }
  if (custom && valData !== undefined && !evalStep && loss === undefined) {
    throw new ValueError(
      'fit: valData needs the model to have an evalStep (it has a trainStep but no evalStep), or a loss for the supervised evaluation',
    );
  }
  const callbacks = options.callbacks ?? [];
  if (!Array.isArray(callbacks) || callbacks.some((c) => c === null || typeof c !== 'object')) {
    throw new ValueError('fit: callbacks must be an array of callback objects');
  }
  const progress = options.progress ?? 'auto';
  if (progress !== true && progress !== false && progress !== 'auto') {
    throw new ValueError(`fit: progress must be true, false or 'auto', got ${JSON.stringify(progress)}`);
  }
  const seed = new Generator(checkInteger('fit', 'seed', options.seed ?? 0)).seed;
  const logEvery = options.logEvery;
  if (logEvery !== undefined) {
    if (
      logEvery !== 'epoch' &&
      !(typeof logEvery === 'number' && Number.isInteger(logEvery) && logEvery >= 1)
    ) {
      throw new ValueError(
        `fit: expected logEvery to be a positive integer or 'epoch', got ${describeValue(logEvery)}`,
      );
    }
  }
  return {
    optimizers,
    loss,
    trainData,
    valData,
    epochs,
    initialEpoch,
    initialStep,
    metrics,
    callbacks,
    progress,
    progressOutput: options.progressOutput,
    disposeBatches: options.disposeBatches ?? false,
    seed,
    logEvery,
    custom,
    evalStep,
  };
}

/** `optimizer` or `optimizers` (exactly one), as a frozen record by name. */
function checkOptimizers(options: FitOptions): Readonly<Record<string, OptimizerLike>> {
  const { optimizer, optimizers } = options;
  if (optimizer !== undefined && optimizers !== undefined) {
    throw new ValueError(
      'fit: give optimizer or optimizers, not both (optimizer: opt is optimizers: { default: opt })',
    );
  }
  if (optimizers === undefined) {
    if (optimizer === undefined) {
      throw new ValueError(
        'fit: an optimizer is required: optimizer: opt, or optimizers: { name: opt, ... } for several',
      );
    }
    if (!isOptimizerLike(optimizer)) {
      throw new ValueError('fit: optimizer must be an Optimizer (with step() and zeroGrad())');
    }
    return Object.freeze({ default: optimizer });
  }
  if (optimizers === null || typeof optimizers !== 'object' || Array.isArray(optimizers)) {
    throw new ValueError(
      `fit: expected optimizers to be an object of optimizers by name, got ${describeValue(optimizers)}`,
    );
  }
  const entries = Object.entries(optimizers);
  if (entries.length === 0) throw new ValueError('fit: optimizers is empty: give at least one optimizer');
  const seen = new Map<OptimizerLike, string>();
  for (const [name, opt] of entries) {
    if (!NAME.test(name)) {
      throw new ValueError(
        `fit: expected optimizer names to be identifiers (letters, digits and _, not first a digit), got '${name}'`,
      );
    }
    if (!isOptimizerLike(opt)) {
      throw new ValueError(
        `fit: expected optimizers.${name} to be an Optimizer (with step() and zeroGrad()), got ${describeValue(opt)}`,
      );
    }
    const other = seen.get(opt);
    if (other !== undefined) {
      throw new ValueError(`fit: optimizers.${other} and optimizers.${name} are the same optimizer`);
    }
    seen.set(opt, name);
  }
  return Object.freeze({ ...optimizers });
}

/** evaluate's options, checked. */
export function checkEvaluateOptions(
  model: Module,
  data: DataSource,
  options: EvaluateOptions,
): Required<Omit<EvaluateOptions, 'loss'>> & Pick<EvaluateOptions, 'loss'> {
  if (!(model instanceof Module)) throw new ValueError('evaluate: model must be a Module');
  if (!isDataSource(data)) throw new ValueError(`evaluate: data must be ${DATA_SOURCE}`);
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`evaluate: expected an options object, got ${describeValue(options)}`);
  }
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) throw new ValueError('evaluate: metrics must be an array');
  if (hasEvalStep(model)) {
    if (options.loss !== undefined || metrics.length > 0) {
      throw new ValueError(
        "evaluate: loss and metrics are for the supervised evaluation; the model's evalStep returns its own logs (leave them out)",
      );
    }
  } else if (hasTrainStep(model) && options.loss === undefined && metrics.length === 0) {
    throw new ValueError(
      'evaluate: the model has a trainStep but no evalStep: give it evalStep(batch, ctx), or pass a loss (and metrics) for the supervised evaluation',
    );
  }
  if (options.loss !== undefined) checkLoss(options.loss, 'evaluate');
  const seed = new Generator(checkInteger('evaluate', 'seed', options.seed ?? 0)).seed;
  return { loss: options.loss, metrics, disposeBatches: options.disposeBatches ?? false, seed };
}
