/**
 * The shapes the training loop works with: batches and data sources, losses, what it needs of an
 * optimizer and a schedule, logs, and the callback interface with the context callbacks see.
 */
import type { Module } from '@axon/layers';
import type { Generator, Tensor } from '@axon/tensor';

/**
 * One mini-batch, first axis the batch: inputs `x` and targets `y`. The supervised step needs `y`;
 * a model with its own `trainStep` (an autoencoder, a VAE, a GAN) may get batches of `x` alone.
 */
export type Batch = { x: Tensor; y?: Tensor };

/**
 * Training or validation data: an Iterable or AsyncIterable of batches (an array, a generator, a
 * data loader), or a function returning a fresh one for each epoch (re-iterated every epoch).
 */
export type DataSource =
  | Iterable<Batch>
  | AsyncIterable<Batch>
  | (() => Iterable<Batch> | AsyncIterable<Batch>);

/** A loss: a function of (prediction, target) to a scalar tensor, or a loss Module (`forward(input, target)`). */
export type LossFn = ((pred: Tensor, target: Tensor) => Tensor) | LossModule;

export interface LossModule {
  forward(input: Tensor, target: Tensor): Tensor;
}

/**
 * What the training loop needs of an optimizer: @axon/optim's `Optimizer` has all of it (the loop
 * depends on this shape only, so a hand-written optimizer works too).
 */
export interface OptimizerLike {
  paramGroups: { params: Tensor[]; lr: number; [option: string]: unknown }[];
  step(): void;
  zeroGrad(): void;
  stateDict(): OptimizerStateLike;
  loadStateDict(state: OptimizerStateLike): void;
}

/** @axon/optim's `OptimizerState`. */
export interface OptimizerStateLike {
  state: Record<string, Record<string, Tensor | number>>;
  paramGroups: Record<string, unknown>[];
}

/** What the LearningRateScheduler callback needs of an @axon/optim schedule. */
export interface ScheduleLike {
  step(metric?: number): void;
  getLastLr(): number[];
  stateDict?(): unknown;
  loadStateDict?(state: never): void;
}

/** Numbers for one epoch or one batch, by name ('loss', 'accuracy', 'val_loss', 'lr', ...). */
export type Logs = Record<string, number>;

/** What a callback may return: 'stop' ends training (after the current batch or epoch). */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is fine
export type CallbackResult = 'stop' | undefined | void;
type MaybePromise<T> = T | Promise<T>;

/** The running fit, as callbacks see it. */
export interface FitContext {
  model: Module;
  /** fit's optimizers by name: `optimizer: opt` gives `{ default: opt }`; `optimizers` as given. */
  optimizers: Readonly<Record<string, OptimizerLike>>;
  /** The only optimizer, or the one named 'default'; undefined when there are several without a default. */
  optimizer: OptimizerLike | undefined;
  /** Total epochs requested (the last epoch index is epochs - 1). */
  epochs: number;
  /** First epoch index of this run (0, or where a resumed run continues). */
  initialEpoch: number;
  /** Whether validation data was given (so 'val_*' logs exist at epoch end). */
  hasValData: boolean;
  /** Every callback of this run, History first. */
  callbacks: readonly Callback[];
  /** Batches per epoch, once known (after the first epoch, or at once for an array). */
  batchesPerEpoch: number | undefined;
  /** The epoch now running (0-based). */
  epoch: number;
  /** Training steps done so far over the whole run (a resumed run continues the count). */
  step: number;
  /** Whether the model trains with its own `trainStep` (false: the supervised step). */
  customStep: boolean;
  /**
   * How often the step's logged scalars are read back: every `logEvery` batches of an epoch (and at
   * its last batch when the source knows its length), or 'epoch' (only then). Always 1 for the
   * supervised step, whose loss is read every batch.
   */
  logEvery: number | 'epoch';
  /** fit's `seed`: the step generator of epoch e is keyed by (seed, e). */
  seed: number;
  /** The generator a custom step gets as `ctx.generator` (re-keyed at every epoch). */
  generator: Generator;
}

/** Where a batch is: epoch index (0-based), batch index within the epoch (0-based). */
export interface BatchInfo {
  epoch: number;
  batch: number;
}

/**
 * A training callback: every hook is optional; returning 'stop' ends training. Epoch and batch
 * indices are 0-based (messages and progress lines show them 1-based).
 */
export interface Callback {
  onTrainBegin?(ctx: FitContext): MaybePromise<CallbackResult>;
  onEpochBegin?(epoch: number, ctx: FitContext): MaybePromise<CallbackResult>;
  /**
   * Supervised step only: called synchronously with the loss of a training batch after the
   * forward pass and before the backward pass and optimizer step. It may throw to abort (see
   * NaNGuard); it cannot be async. A custom `trainStep` does not read its loss back every step, so
   * this hook is not called for it: watch `onBatchEnd`'s logs instead.
   */
  onBatchLoss?(loss: number, info: BatchInfo, ctx: FitContext): void;
  /**
   * After every training batch. `logs.size` is the batch size. The supervised step adds the
   * batch's `loss`; a custom step adds its logged scalars only at read-back batches (see
   * `FitContext.logEvery`): each one's mean over the batches since the previous read-back.
   */
  onBatchEnd?(batch: number, logs: Logs, ctx: FitContext): MaybePromise<CallbackResult>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: FitContext): MaybePromise<CallbackResult>;
  onTrainEnd?(logs: Logs, ctx: FitContext): MaybePromise<CallbackResult>;
}
