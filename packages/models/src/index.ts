/**
 * @axon/models: the model zoo, one folder per family. Each builder returns a Module of registered
 * layers (or a registered model class), so `save` and `load` from @axon/layers rebuild it from the
 * file alone; the families that train other than by one supervised loss (autoencoder, vae, gan,
 * rbm, rntn, charlm, transformer, seq2seq) carry their own training step
 * (`trainStep` / `evalStep`) for `fit`. See README.md for architectures, options and logs.
 */
export * from './autoencoder';
export * from './charlm';
export { type CnnOptions, cnn, type ImageSize, type LeNet5Options, lenet5 } from './cnn';
export * from './dbn';
export * from './gan';
export { MLP_ACTIVATIONS, type MlpActivation, type MlpOptions, mlp } from './mlp';
export * from './rbm';
export {
  RNN_CELLS,
  RNNRegressor,
  type RnnCell,
  type RnnRegressorOptions,
  rnnRegressor,
  rnnRegressorParameterCount,
} from './rnn';
export * from './rntn';
export * from './seq2seq';
export * from './sequence_classifier';
export type { StepBatch, StepContext, StepLogs, SteppedModel } from './step';
export * from './transformer';
export * from './vae';
