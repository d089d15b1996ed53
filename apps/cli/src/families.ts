/**
 * The model table: every zoo model `axon train` knows, by the name it takes, with its default
 * data set, its training defaults, how it trains and (for the generative ones) how it samples.
 * Adding a family to the CLI is one entry here: a builder from @axon/models, a data set from
 * data_sets.ts, a training kind from training.ts and, if it draws images, a sampler from
 * samplers.ts. The commands read nothing else about a model.
 */
import type { Module } from '@axon/layers';
import {
  cnn,
  convAutoencoder,
  denseAutoencoder,
  type GAN,
  gan,
  lenet5,
  mlp,
  type RnnCell,
  rnnRegressor,
  vae,
} from '@axon/models';
import { type Tensor, zeros } from '@axon/tensor';
import { DATA_SETS, type DataSetName } from './data_sets';
import { ganSamples, reconstructions, type Sampler, vaeSamples } from './samplers';
import { adversarial, classifier, ownStep, regressor, type Training } from './training';

export interface ModelFamily {
  /** One line for `axon train --help`. */
  summary: string;
  /** The data set it trains and evaluates on by default. */
  data: DataSetName;
  /** Training defaults (each overridden by its option). */
  epochs: number;
  batchSize: number;
  lr: number;
  /** The model, freshly initialised from the default generator (seeded by `--seed`). */
  build(): Module;
  training: Training;
  /**
   * The model class a file saved by another program (an example) is read as, when the file does
   * not say which family wrote it. The first family listing a class wins.
   */
  readsClass?: string;
  /** x as the family takes it, from the data set's x (a GAN's tanh range). */
  inputs?: (x: Tensor) => Tensor;
  /** Images for `axon sample`; absent when the family cannot draw any. */
  sample?: Sampler;
  /** The inputs `info` traces for output shapes (default: one zero example of the data set). */
  summaryInputs?: (model: Module) => Tensor[];
  /** What `axon export --onnx` exports (default: the model itself; a GAN: its generator). */
  onnxModule?: (model: Module) => Module;
}

const MNIST_CLASSES = { inChannels: 1, numClasses: 10 } as const;
/** Half DCGAN's widths and a 64-D code (the examples' GANs): an epoch fits a few CPU minutes. */
const SMALL_DCGAN = { latentSize: 64, generatorFeatures: 32, discriminatorFeatures: 32 } as const;
/** Radford et al.'s Adam settings for both DCGAN networks. */
const DCGAN_ADAM = { lr: 2e-4, betas: [0.5, 0.999] as [number, number] };
const toTanhRange = (x: Tensor) => x.mul(2).sub(1);
/** One noise vector, and a class label for a conditional GAN. */
const ganInputs = (model: Module) => {
  const { latentSize, cond } = model as GAN;
  return [zeros([1, latentSize]), ...(cond ? [zeros([1], 'int32')] : [])];
};

function recurrent(cell: RnnCell, name: string): ModelFamily {
  return {
    summary: `${name} (32 units) + Linear head predicting the next sample of a sine wave`,
    data: 'sine',
    epochs: 20,
    batchSize: 16,
    lr: 3e-3,
    build: () => rnnRegressor({ cell, inputSize: 1, hiddenSize: 32, outputSize: 1 }),
    training: regressor,
    readsClass: cell === 'rnn' ? 'RNNRegressor' : undefined,
  };
}

/** A GAN on MNIST, with Adam's `lr` and `betas` for both networks. */
function dcgan(
  summary: string,
  options: Parameters<typeof gan>[0],
  { lr, betas }: { lr: number; betas: [number, number] },
): ModelFamily {
  return {
    summary,
    data: 'mnist',
    epochs: 5,
    batchSize: 128,
    lr,
    build: () => gan({ ...SMALL_DCGAN, ...options }),
    training: adversarial(betas),
    readsClass: 'GAN',
    inputs: toTanhRange,
    sample: ganSamples,
    summaryInputs: ganInputs,
    // The GAN's forward is its generator's: the part that serves (the critic only trains).
    onnxModule: (model) => (model as GAN).generator,
  };
}

export const MODEL_FAMILIES = {
  mlp: {
    summary: 'MLP 784-128-10 (ReLU) classifying digits',
    data: 'mnist',
    epochs: 5,
    batchSize: 128,
    lr: 3e-3,
    build: () => mlp({ inputSize: 784, hiddenSizes: [128], outputSize: 10, flatten: true }),
    training: classifier,
    readsClass: 'Sequential',
  },
  cnn: {
    summary: 'the Keras MNIST CNN (two conv/pool stages, 121,930 parameters)',
    data: 'mnist',
    epochs: 3,
    batchSize: 32,
    lr: 1e-3,
    build: () => cnn(MNIST_CLASSES),
    training: classifier,
  },
  lenet5: {
    summary: 'LeNet-5 (ReLU, max pooling, 61,706 parameters)',
    data: 'mnist',
    epochs: 3,
    batchSize: 64,
    lr: 1e-3,
    build: () => lenet5(MNIST_CLASSES),
    training: classifier,
  },
  rnn: recurrent('rnn', 'tanh RNN'),
  lstm: recurrent('lstm', 'LSTM'),
  gru: recurrent('gru', 'GRU'),
  autoencoder: {
    summary: 'dense autoencoder 784-256-32-256-784 (BCE on logits)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 128,
    lr: 1e-3,
    build: () => denseAutoencoder({ inputSize: 784, hiddenSizes: [256], latentSize: 32, loss: 'bce' }),
    training: ownStep,
    readsClass: 'DenseAutoencoder',
    sample: reconstructions,
  },
  'tied-autoencoder': {
    summary: 'the dense autoencoder with tied weights (the decoder reuses the encoder weights)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 128,
    lr: 1e-3,
    build: () =>
      denseAutoencoder({ inputSize: 784, hiddenSizes: [256], latentSize: 32, loss: 'bce', tied: true }),
    training: ownStep,
    sample: reconstructions,
  },
  'conv-autoencoder': {
    summary: 'convolutional autoencoder (16, 32 channels, stride 2)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 64,
    lr: 1e-3,
    build: () => convAutoencoder({ loss: 'bce' }),
    training: ownStep,
    readsClass: 'ConvAutoencoder',
    sample: reconstructions,
  },
  dae: {
    summary: 'denoising autoencoder 784-512-256-128 (half the pixels masked each step)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 128,
    lr: 2e-3,
    build: () =>
      denseAutoencoder({
        inputSize: 784,
        hiddenSizes: [512, 256],
        latentSize: 128,
        loss: 'bce',
        noise: { type: 'mask', p: 0.5 },
      }),
    training: ownStep,
    sample: reconstructions,
  },
  vae: {
    summary: 'VAE 784-512-256-z32, Bernoulli decoder (negative ELBO in nats)',
    data: 'binarized-mnist',
    epochs: 10,
    batchSize: 100,
    lr: 1e-3,
    build: () => vae({ inputSize: 784, hiddenSizes: [512, 256], latentSize: 32 }),
    training: ownStep,
    readsClass: 'VAE',
    sample: vaeSamples,
  },
  'conv-vae': {
    summary: 'VAE with a convolutional encoder and decoder (32, 64 channels), z16',
    data: 'binarized-mnist',
    epochs: 5,
    batchSize: 100,
    lr: 1e-3,
    build: () => vae({ encoder: 'conv', latentSize: 16 }),
    training: ownStep,
    sample: vaeSamples,
  },
  gan: dcgan('DCGAN (non-saturating loss), z64', {}, DCGAN_ADAM),
  cgan: dcgan('conditional DCGAN (label embeddings), one digit per column', { numClasses: 10 }, DCGAN_ADAM),
  'wgan-gp': dcgan(
    'DCGAN with a Wasserstein critic and gradient penalty (5 critic steps per batch)',
    { loss: 'wgan-gp' },
    { lr: 1e-4, betas: [0.5, 0.9] }, // Gulrajani et al.'s settings
  ),
} satisfies Record<string, ModelFamily>;

export type FamilyName = keyof typeof MODEL_FAMILIES;

export const FAMILY_NAMES = Object.keys(MODEL_FAMILIES) as FamilyName[];

export function isFamilyName(name: unknown): name is FamilyName {
  return typeof name === 'string' && Object.hasOwn(MODEL_FAMILIES, name);
}

export function family(name: FamilyName): ModelFamily {
  return MODEL_FAMILIES[name];
}

/** The families that can draw images (`axon sample`). */
export function samplingFamilies(): FamilyName[] {
  return FAMILY_NAMES.filter((name) => family(name).sample);
}

/** The family a model of class `className` is read as when its file does not name one. */
export function familyOfClass(className: string): FamilyName | undefined {
  return FAMILY_NAMES.find((name) => (MODEL_FAMILIES[name] as ModelFamily).readsClass === className);
}

/** The inputs `info` traces for output shapes. */
export function summaryInputs(name: FamilyName, model: Module): Tensor[] {
  const f = family(name);
  return f.summaryInputs ? f.summaryInputs(model) : [zeros([1, ...DATA_SETS[f.data].exampleShape])];
}
