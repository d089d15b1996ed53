/**
 * Builds the zoo model the settings name, through @axon/models' public builders, and says what
 * kind of task it is: a classifier (logits, cross-entropy), or a generative model with its own
 * `trainStep` (an autoencoder, a VAE, a GAN, an RBM). Weights are drawn from the default
 * generator, seeded here, so the same settings give the same initial model on either backend.
 */
import type { Module } from '@axon/layers';
import { cnn, DenseAutoencoder, denseAutoencoder, GAN, gan, mlp, RBM, rbm, VAE, vae } from '@axon/models';
import { manualSeed } from '@axon/tensor';
import type { Dataset } from '../data/dataset';
import type { ModelId, PlaygroundConfig } from './config';

export type TaskKind = 'classifier' | 'autoencoder' | 'vae' | 'gan' | 'rbm';

export function taskOf(model: ModelId): TaskKind {
  return model === 'mlp' || model === 'cnn' ? 'classifier' : model;
}

/** The GAN's widths: a quarter of DCGAN's, so that a step takes milliseconds on the CPU. */
const GAN_FEATURES = 16;

export function buildModel(config: PlaygroundConfig, data: Dataset): Module {
  manualSeed(config.seed);
  const { hidden, activation, latent } = config;
  if (data.kind === 'points') {
    return mlp({ inputSize: 2, hiddenSizes: hidden, outputSize: data.classes, activation });
  }
  const size = data.rows * data.cols;
  switch (config.model) {
    case 'mlp':
      return mlp({
        inputSize: size,
        hiddenSizes: hidden,
        outputSize: data.classes,
        activation,
        flatten: true,
      });
    case 'cnn':
      return cnn({ inChannels: 1, numClasses: data.classes, imageSize: [data.rows, data.cols] });
    case 'autoencoder':
      return denseAutoencoder({
        inputSize: size,
        hiddenSizes: hidden,
        latentSize: latent,
        activation,
        loss: 'bce',
      });
    case 'vae':
      return vae({ inputSize: size, hiddenSizes: hidden, latentSize: latent, activation });
    case 'gan':
      return gan({
        latentSize: latent,
        imageSize: data.rows,
        generatorFeatures: GAN_FEATURES,
        discriminatorFeatures: GAN_FEATURES,
      });
    case 'rbm':
      return rbm({ visibleSize: size, hiddenSize: hidden[0] ?? 256 });
  }
}

/** The task of a model rebuilt from a file (whose settings may be missing or stale). */
export function taskOfModule(model: Module): TaskKind {
  if (model instanceof VAE) return 'vae';
  if (model instanceof GAN) return 'gan';
  if (model instanceof RBM) return 'rbm';
  if (model instanceof DenseAutoencoder) return 'autoencoder';
  return 'classifier';
}
