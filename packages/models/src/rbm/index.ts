/**
 * The RBM family: Bernoulli–Bernoulli and Gaussian–Bernoulli restricted Boltzmann machines trained
 * by CD-k or PCD through `fit`, with the energy maths as pure functions and the partition function
 * by annealed importance sampling (or exactly, for small models).
 */
export { type AisOptions, type AisResult, aisBetas, annealedImportanceSampling } from './ais';
export {
  freeEnergyOf,
  hiddenInput,
  RBM_VISIBLE_UNITS,
  type RbmParams,
  type RbmVisibleUnits,
  sampleVisibleFrom,
  visibleEnergy,
  visibleInput,
  visibleMeanOf,
} from './energy';
export { EXACT_MAX_HIDDEN, exactLogPartition } from './exact';
export {
  type ContrastiveDivergence,
  type ContrastiveDivergenceOptions,
  type GibbsOptions,
  RBM,
  type RbmLogLikelihoodOptions,
  type RbmOptions,
  type RbmSampleOptions,
  rbm,
} from './rbm';
