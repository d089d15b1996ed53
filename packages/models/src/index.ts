/**
 * @axon/models: the model zoo, one folder per family. Each builder returns a Module of registered
 * layers (or a registered model class), so `save` and `load` from @axon/layers rebuild it from the
 * file alone; the generative families (autoencoder, vae, gan) also carry their own training step
 * (`trainStep` / `evalStep`) for `fit`. See README.md for architectures, options and logs.
 */
export * from './autoencoder';
export { type CnnOptions, cnn, type ImageSize, type LeNet5Options, lenet5 } from './cnn';
export * from './gan';
export { MLP_ACTIVATIONS, type MlpActivation, type MlpOptions, mlp } from './mlp';
export {
  RNN_CELLS,
  RNNRegressor,
  type RnnCell,
  type RnnRegressorOptions,
  rnnRegressor,
  rnnRegressorParameterCount,
} from './rnn';
export type { StepBatch, StepContext, StepLogs, SteppedModel } from './step';
export * from './vae';
