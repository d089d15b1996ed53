/**
 * The training-step contract. A model family owns its step (as Keras' `train_step` or Lightning's
 * `training_step`): `fit` runs the loop — batches, optimizers, callbacks, progress, checkpoints —
 * and calls `model.trainStep(batch, ctx)`, which computes its losses, updates parameters through
 * `ctx.minimize` and returns named scalars to log. The supervised step (forward, loss, backward,
 * step) stays the default for a model without one. This file holds the contract and the context a
 * step receives; the loop is in fit.ts.
 */
import { noGrad } from '@axon/autograd';
import {
  checkNonNegativeInt,
  checkOptions,
  describeValue,
  fmtShape,
  Generator,
  randomUint32,
  ShapeError,
  Tensor,
  ValueError,
} from '@axon/tensor';
import type { Batch, OptimizerLike } from './types';

/** What a step gets besides its batch: the optimizers, where it is, its generator. */
export interface StepContext {
  /** fit's optimizers by name: `optimizer: opt` gives `{ default: opt }`; `optimizers: { gen, disc }` as given. */
  readonly optimizers: Readonly<Record<string, OptimizerLike>>;
  /** The only optimizer, or the one named 'default'; undefined when there are several without a default. */
  readonly optimizer: OptimizerLike | undefined;
  /** The epoch, 0-based. */
  readonly epoch: number;
  /** The batch's index in its epoch, 0-based. */
  readonly batch: number;
  /** The global training step, 0-based (a resumed run continues the count); in evaluation, the steps trained so far. */
  readonly step: number;
  /**
   * A seeded generator for the step's own randomness (a VAE's noise, a GAN's latent codes): pass
   * it to random ops, `randn(shape, { generator: ctx.generator })`. fit keys it by (seed, epoch)
   * at each epoch's start, so a run resumed at epoch e draws what an uninterrupted run draws; a
   * validation pass has its own. Dropout and data shuffling use the default generator, as before.
   */
  readonly generator: Generator;
  /** True in fit's training steps, false in `evalStep` (evaluate and fit's validation). */
  readonly training: boolean;
  /**
   * `loss.backward()` into the parameters' `.grad`, `optimizer.step()` under noGrad, then every
   * gradient cleared (every optimizer's parameters and the model's), so that one loss's gradient
   * never leaks into the next minimize (a GAN's discriminator loss into the generator's
   * parameters). `optimizer` defaults to `ctx.optimizer`; a string names one of `ctx.optimizers`.
   * The loss must be a scalar that depends on a parameter requiring a gradient.
   */
  minimize(loss: Tensor, optimizer?: OptimizerLike | string): void;
}

/** Named scalars a step returns ('loss' by convention): 0-d (or 1-element) tensors, or numbers. */
export type StepLogs = Record<string, Tensor | number>;

/**
 * A model that owns its step. fit uses `trainStep` when the model has one; evaluate and fit's
 * validation use `evalStep` when it has one (run under noGrad, in eval mode), and otherwise the
 * supervised path (which needs a loss). Batches may carry `x` alone.
 */
export interface SteppedModel {
  trainStep(batch: Batch, ctx: StepContext): StepLogs;
  evalStep?(batch: Batch, ctx: StepContext): StepLogs;
}

/** Whether `model` has its own `trainStep`. */
export function hasTrainStep(model: unknown): model is SteppedModel {
  return typeof (model as { trainStep?: unknown } | null)?.trainStep === 'function';
}

/** Whether `model` has its own `evalStep`. */
export function hasEvalStep(model: unknown): model is Required<SteppedModel> {
  return typeof (model as { evalStep?: unknown } | null)?.evalStep === 'function';
}

export interface StepContextOptions {
  /** The optimizers by name (default none: `minimize` then has nothing to step). */
  optimizers?: Readonly<Record<string, OptimizerLike>>;
  /** A module whose `.grad`s `minimize` clears too (fit passes its model). */
  model?: { zeroGrad(): void };
  epoch?: number;
  batch?: number;
  step?: number;
  /** Default: a new Generator(0). */
  generator?: Generator;
  /** Default true. */
  training?: boolean;
}

/**
 * A step context, as fit makes one for each step; for calling a model's `trainStep` or `evalStep`
 * by hand (a test of the step, a custom loop).
 */
export function createStepContext(options: StepContextOptions = {}): StepContext {
  const o = checkOptions('createStepContext', options) as StepContextOptions;
  const optimizers = o.optimizers ?? {};
  if (optimizers === null || typeof optimizers !== 'object') {
    throw new ValueError(
      `createStepContext: expected optimizers to be an object of optimizers by name, got ${describeValue(optimizers)}`,
    );
  }
  for (const [name, opt] of Object.entries(optimizers)) {
    if (!isOptimizerLike(opt)) {
      throw new ValueError(
        `createStepContext: expected optimizers.${name} to be an optimizer (with step() and zeroGrad()), got ${describeValue(opt)}`,
      );
    }
  }
  if (o.generator !== undefined && !(o.generator instanceof Generator)) {
    throw new ValueError(
      `createStepContext: expected generator to be a Generator, got ${describeValue(o.generator)}`,
    );
  }
  return new Context(
    optimizers,
    o.model,
    checkNonNegativeInt('createStepContext', 'epoch', o.epoch ?? 0),
    checkNonNegativeInt('createStepContext', 'batch', o.batch ?? 0),
    checkNonNegativeInt('createStepContext', 'step', o.step ?? 0),
    o.generator ?? new Generator(0),
    o.training ?? true,
  );
}

/** `opt` looks like an optimizer: it has step() and zeroGrad(). */
export function isOptimizerLike(opt: unknown): opt is OptimizerLike {
  return (
    opt !== null &&
    typeof opt === 'object' &&
    typeof (opt as OptimizerLike).step === 'function' &&
    typeof (opt as OptimizerLike).zeroGrad === 'function'
  );
}

/** The only optimizer, or the one named 'default'. */
export function defaultOptimizer(
  optimizers: Readonly<Record<string, OptimizerLike>>,
): OptimizerLike | undefined {
  const all = Object.values(optimizers);
  return all.length === 1 ? all[0] : Object.hasOwn(optimizers, 'default') ? optimizers.default : undefined;
}

/**
 * The seed of the step generator for `epoch` of a run seeded `seed`: stream 0 trains, stream 1
 * evaluates, so that validation never shifts the numbers training draws.
 */
export function epochSeed(seed: number, epoch: number, stream: 0 | 1): number {
  return randomUint32(new Generator(seed).seed, epoch * 2 + stream);
}

/** fit's StepContext: one per step (cheap), sharing fit's optimizers and generator. */
export class Context implements StepContext {
  readonly optimizer: OptimizerLike | undefined;

  constructor(
    readonly optimizers: Readonly<Record<string, OptimizerLike>>,
    private readonly model: { zeroGrad(): void } | undefined,
    readonly epoch: number,
    readonly batch: number,
    readonly step: number,
    readonly generator: Generator,
    readonly training: boolean,
  ) {
    this.optimizer = defaultOptimizer(optimizers);
  }

  minimize(loss: Tensor, optimizer?: OptimizerLike | string): void {
    if (!this.training) {
      throw new ValueError(
        "minimize: called in evaluation (evalStep, or fit's validation), where no parameter may change",
      );
    }
    const opt = this.resolve(optimizer);
    if (!(loss instanceof Tensor)) {
      throw new ValueError(`minimize: expected loss to be a Tensor, got ${describeValue(loss)}`);
    }
    if (loss.size !== 1) {
      throw new ShapeError(
        `minimize: expected loss to be a scalar (a 0-d or 1-element Tensor), got shape ${fmtShape(loss.shape)}`,
      );
    }
    if (!loss.requiresGrad) {
      throw new ValueError(
        'minimize: the loss does not depend on any parameter that requires a gradient (is the model built from Module parameters, and is the loss computed outside noGrad?)',
      );
    }
    loss.backward();
    noGrad(() => opt.step());
    for (const o of Object.values(this.optimizers)) o.zeroGrad();
    this.model?.zeroGrad();
  }

  private resolve(optimizer: OptimizerLike | string | undefined): OptimizerLike {
    const names = Object.keys(this.optimizers);
    const list = names.length > 0 ? names.join(', ') : 'none';
    if (optimizer === undefined) {
      if (this.optimizer) return this.optimizer;
      throw new ValueError(
        names.length === 0
          ? 'minimize: there is no optimizer to step (give fit an optimizer)'
          : `minimize: there are several optimizers (${list}) and none is named 'default': name the one to step, e.g. ctx.minimize(loss, '${names[0]}')`,
      );
    }
    if (typeof optimizer === 'string') {
      if (Object.hasOwn(this.optimizers, optimizer)) return this.optimizers[optimizer];
      throw new ValueError(
        `minimize: expected the name of one of fit's optimizers (${list}), got '${optimizer}'`,
      );
    }
    if (Object.values(this.optimizers).includes(optimizer)) return optimizer;
    throw new ValueError(
      `minimize: the optimizer given is not one of fit's optimizers (${list}); pass it in fit's optimizers (so that checkpoints save its state) and name it here`,
    );
  }
}
