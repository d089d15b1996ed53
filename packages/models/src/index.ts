/**
 * @axon/models: the model zoo. Each builder returns a Module of registered layers, so `save` and
 * `load` from @axon/layers rebuild it; see README.md for the architectures and parameter counts.
 */
export { type CnnOptions, cnn, type ImageSize, type LeNet5Options, lenet5 } from './cnn';
export { MLP_ACTIVATIONS, type MlpActivation, type MlpOptions, mlp } from './mlp';
export {
  RNN_CELLS,
  RNNRegressor,
  type RnnCell,
  type RnnRegressorOptions,
  rnnRegressor,
  rnnRegressorParameterCount,
} from './rnn';
