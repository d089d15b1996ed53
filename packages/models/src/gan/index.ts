/**
 * The GAN family: DCGAN generator and discriminator (optionally class-conditional), the GAN
 * model with its two-player step (non-saturating or WGAN-GP) and optional averaged generator,
 * DCGAN's initialisation, the pure losses and gradient penalty they use, and discriminator
 * rejection sampling.
 */
export {
  type Conditioning,
  GAN_CONDITIONINGS,
  type GanConditioning,
} from './conditioning';
export {
  DCGANDiscriminator,
  type DCGANDiscriminatorOptions,
  DISCRIMINATOR_NORMS,
  type DiscriminatorNorm,
  dcganDiscriminator,
} from './discriminator';
export { GAN, GAN_LOSSES, GAN_OPTIMIZERS, type GanLoss, type GanOptions, gan } from './gan';
export { DCGANGenerator, type DCGANGeneratorOptions, dcganGenerator } from './generator';
export {
  type GradientPenaltyOptions,
  gradientPenalty,
  interpolate,
  r1Penalty,
  r1PenaltyAt,
} from './gradient_penalty';
export { dcganInit, GAN_INITS, type GanInit } from './init';
export {
  discriminatorLoss,
  nonSaturatingGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from './losses';
export { type DcganPlan, dcganPlan } from './plan';
export {
  type RejectionSample,
  type RejectionSampleOptions,
  rejectionSample,
  thresholdFor,
} from './rejection';
