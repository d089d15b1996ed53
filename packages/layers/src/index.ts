export * from './functional';
export * as F from './functional';
export * as init from './init';
export * from './layers/activations';
export * from './layers/attention';
export * from './layers/bilinear_tensor';
export * from './layers/conv';
export * from './layers/dropout';
export * from './layers/embedding';
export * from './layers/gaussian_sample';
export * from './layers/linear';
export * from './layers/normalization';
export * from './layers/pooling';
export * from './layers/recurrent';
export * from './layers/reshape';
export * from './layers/sparse_linear';
export * from './losses';
export { type AnyModule, type LayerConfig, Module } from './module';
export {
  fromSpec,
  getLayerClass,
  type LayerClass,
  type LayerSpec,
  layerNameOf,
  registeredLayers,
  registerLayer,
  specOf,
} from './registry';
export { Sequential } from './sequential';
export * from './serialization';
export { updateBatchNorm } from './update_batch_norm';
