export * from './callbacks';
export { isOwnedBatch, OWNED_BATCH } from './data';
export { type EvaluateOptions, evaluate, type FitOptions, fit } from './fit';
export {
  accuracy,
  binaryAccuracy,
  type Count,
  type CustomMetric,
  countAccuracy,
  countBinary,
  countTopK,
  createMetric,
  type MetricAccumulator,
  type MetricSpec,
  metricName,
  topKAccuracy,
} from './metrics';
export {
  batchLine,
  epochLine,
  formatLogs,
  isCI,
  PLAIN_LINE_SECONDS,
  Progress,
  type ProgressMode,
  type ProgressOutput,
} from './progress';
export {
  createStepContext,
  hasEvalStep,
  hasTrainStep,
  type StepContext,
  type StepContextOptions,
  type StepLogs,
  type SteppedModel,
} from './step';
export type {
  Batch,
  BatchInfo,
  Callback,
  CallbackResult,
  DataSource,
  FitContext,
  Logs,
  LossFn,
  LossModule,
  OptimizerLike,
  OptimizerStateLike,
  ScheduleLike,
} from './types';
