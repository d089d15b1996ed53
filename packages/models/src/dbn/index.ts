/** The DBN family: a stack of RBMs, its greedy pretraining, the unrolled classifier and generation. */
export {
  DBN,
  type DbnLayerOptions,
  type DbnOptions,
  type DbnSampleOptions,
  type DbnUnrollOptions,
  dbn,
} from './dbn';
export { type DbnData, type DbnPretrainOptions, layerData, pretrainDbn } from './pretrain';
