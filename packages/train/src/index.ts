export * from './callbacks';
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
  type ChartOptions,
  type HistoryLike,
  historyChart,
  historyPng,
  historySvg,
  type PlotHistoryOptions,
  plotHistory,
} from './plot';
export { epochLine, formatLogs, isCI, Progress, type ProgressMode, type ProgressOutput } from './progress';
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
