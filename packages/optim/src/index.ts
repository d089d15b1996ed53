export { Adagrad, type AdagradGroupOptions, type AdagradOptions } from './adagrad';
export { Adam, type AdamGroupOptions, type AdamOptions, AdamW } from './adam';
export { clipGradNorm, clipGradValue } from './clip_grad';
export {
  CosineAnnealingLR,
  type CosineAnnealingLROptions,
  ExponentialLR,
  type ExponentialLROptions,
  LinearWarmup,
  type LinearWarmupOptions,
  LRScheduler,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type SchedulerState,
  StepLR,
  type StepLROptions,
} from './lr_scheduler';
export {
  Optimizer,
  type OptimizerState,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
  type Params,
} from './optimizer';
export { RMSprop, type RMSpropGroupOptions, type RMSpropOptions } from './rmsprop';
export { SGD, type SGDGroupOptions, type SGDOptions } from './sgd';
