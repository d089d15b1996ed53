/**
 * How a model family trains, as fit and evaluate from @axon/train want it: its optimizers, and for
 * the supervised families the loss and metrics. The families that own their step (autoencoders,
 * VAEs, GANs) log their own losses, so they give neither. Four kinds cover the zoo so far; a new
 * family picks one (or adds one here).
 */
import { CrossEntropyLoss, type Module, MSELoss } from '@axon/layers';
import { GAN, GAN_OPTIMIZERS } from '@axon/models';
import { Adam } from '@axon/optim';
import type { LossFn, MetricSpec, OptimizerLike } from '@axon/train';

export interface Training {
  /** The optimizers fit gets, by name (`default` for the only one; a GAN's `gen` and `disc`). */
  optimizers(model: Module, lr: number): Record<string, OptimizerLike>;
  /** The supervised loss, for fit and evaluate; undefined for a model with its own step. */
  loss?: () => LossFn;
  metrics?: MetricSpec[];
}

const adam = (model: Module, lr: number) => ({ default: new Adam(model.parameters(), { lr }) });

/** Logits against class labels: cross-entropy and accuracy. */
export const classifier: Training = {
  optimizers: adam,
  loss: () => new CrossEntropyLoss(),
  metrics: ['accuracy'],
};

/** Real-valued targets: mean squared error. */
export const regressor: Training = { optimizers: adam, loss: () => new MSELoss() };

/** A model with its own trainStep/evalStep and one optimizer (autoencoders, VAEs). */
export const ownStep: Training = { optimizers: adam };

/** A GAN: one Adam for the generator and one for the discriminator, under the names its step asks for. */
export function adversarial(betas: [number, number]): Training {
  return {
    optimizers(model, lr) {
      if (!(model instanceof GAN)) throw new TypeError(`expected a GAN, got ${model.constructor.name}`);
      return {
        [GAN_OPTIMIZERS.generator]: new Adam(model.generator.parameters(), { lr, betas }),
        [GAN_OPTIMIZERS.discriminator]: new Adam(model.discriminator.parameters(), { lr, betas }),
      };
    },
  };
}
