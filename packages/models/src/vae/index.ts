/**
 * The VAE family: the model (MLP or convolutional encoder, Bernoulli or Gaussian decoder) and the
 * pure maths it is trained and evaluated with (ELBO, KL, log-densities, the IWAE bound).
 */
export {
  diagonalGaussianLogDensity,
  type ElboInputs,
  type ElboTerms,
  elbo,
  gaussianKl,
  KL_ESTIMATORS,
  type KlEstimator,
  standardNormalLogDensity,
} from './elbo';
export { importanceLogWeights, iwaeBound } from './iwae';
export {
  bernoulliLogLikelihood,
  type DecoderOutput,
  decoderLogLikelihood,
  gaussianLogLikelihood,
} from './likelihood';
export {
  VAE,
  VAE_DECODERS,
  VAE_ENCODERS,
  type VaeDecoder,
  type VaeElbo,
  type VaeElboOptions,
  type VaeEncoder,
  type VaeLogLikelihoodOptions,
  type VaeLoss,
  type VaeNoiseOptions,
  type VaeOptions,
  vae,
} from './vae';
