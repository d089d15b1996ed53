/**
 * How a model family trains, as fit and evaluate from @axon/train want it: its optimizers, and for
 * the supervised families the loss and metrics. The families that own their step (autoencoders,
 * VAEs, GANs, RBMs, the language models) log their own losses, so they give neither. A new family
 * picks a kind (or adds one here); the optimizer settings are the examples'.
 */
import { CrossEntropyLoss, type Module, MSELoss } from '@axon/layers';
import { GAN, GAN_OPTIMIZERS, RBM } from '@axon/models';
import { Adagrad, Adam, AdamW, clipGradNorm, SGD } from '@axon/optim';
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

/**
 * An RBM: SGD with momentum 0.5 and weight decay 2e-4 on W only (Hinton's practical guide; PCD
 * wants small steps, so no higher momentum).
 */
export const contrastive: Training = {
  optimizers(model, lr) {
    if (!(model instanceof RBM)) throw new TypeError(`expected an RBM, got ${model.constructor.name}`);
    return { default: new SGD(model.parameterGroups(2e-4), { lr, momentum: 0.5 }) };
  },
};

/** Adam that clips the gradient norm at `maxNorm` before each update (char-rnn's guard for BPTT). */
class ClippedAdam extends Adam {
  constructor(
    private readonly params: Parameters<typeof clipGradNorm>[0],
    lr: number,
    private readonly maxNorm: number,
  ) {
    super(params, { lr });
  }

  override step(): void {
    clipGradNorm(this.params, this.maxNorm);
    super.step();
  }
}

export const clippedAdam = (maxNorm: number): Training => ({
  optimizers: (model, lr) => ({ default: new ClippedAdam(model.parameters(), lr, maxNorm) }),
});

/** AdamW (β₂ 0.99) with weight decay 0.1 on the matrices only, not biases and norms (nanoGPT). */
export const decoupledDecay: Training = {
  optimizers(model, lr) {
    const params = model.parameters();
    const groups = [
      { params: params.filter((p) => p.rank >= 2), weightDecay: 0.1 },
      { params: params.filter((p) => p.rank < 2), weightDecay: 0 },
    ];
    return { default: new AdamW(groups, { lr, betas: [0.9, 0.99] }) };
  },
};

/**
 * An RNTN (sst-rntn example): AdaGrad, weight decay 1e-3 on the composition and 1e-4 on the
 * classifier, none on the word vectors (the model decays the words of each minibatch), and V's
 * sums starting at 1 so the first steps do not drown the composition in noise.
 */
export const treeAdagrad: Training = {
  optimizers(model, lr) {
    const named = model.namedParameters();
    const group = (keep: (name: string) => boolean) => named.filter(([k]) => keep(k)).map(([, p]) => p);
    const groups = [
      { params: group((k) => k === 'compose.V'), weightDecay: 1e-3, initialAccumulatorValue: 1 },
      { params: group((k) => k.startsWith('compose.') && k !== 'compose.V'), weightDecay: 1e-3 },
      { params: group((k) => k.startsWith('classifier.')), weightDecay: 1e-4 },
      { params: group((k) => k.startsWith('embedding.')), weightDecay: 0 },
    ].filter((g) => g.params.length > 0);
    return { default: new Adagrad(groups, { lr }) };
  },
};
