/**
 * The autoencoder family: dense (any widths, tied or not, deep), convolutional, and denoising (a
 * corruption of the input in the step), each a Module with `encode`, `decode`, `reconstruct` and
 * its training step.
 */
export { AutoencoderBase } from './base';
export { ConvAutoencoder, type ConvAutoencoderOptions, convAutoencoder } from './conv';
export {
  DenseAutoencoder,
  type DenseAutoencoderOptions,
  denseAutoencoder,
  LATENT_ACTIVATIONS,
  type LatentActivation,
} from './dense';
export { RECONSTRUCTION_LOSSES, type ReconstructionLoss, reconstructionLoss } from './loss';
export { corrupt, gaussianNoise, maskingNoise, NOISE_TYPES, type NoiseSpec } from './noise';
export { TiedLinear } from './tied_linear';
