export {
  Checkpoint,
  type CheckpointOptions,
  type CheckpointState,
  type Optimizers,
  type ResumeOptions,
  resume,
  type SavedOptimizerState,
  saveCheckpoint,
} from './checkpoint';
export { EarlyStopping, type EarlyStoppingOptions } from './early_stopping';
export { History, type HistoryJSON } from './history';
export { LearningRateScheduler, type LearningRateSchedulerOptions } from './lr_scheduler';
export type { MonitorMode } from './monitor';
export { NaNGuard, type NonFiniteDetail, NonFiniteLossError } from './nan_guard';
