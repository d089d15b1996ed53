import { ReduceLROnPlateau } from '@axon/optim';
import { ValueError } from '@axon/tensor';
import type { Callback, FitContext, Logs, ScheduleLike } from '../types';

export interface LearningRateSchedulerOptions {
  /** Step the schedule after every batch instead of every epoch (warmup, per-step cosine). */
  perBatch?: boolean;
  /**
   * The logs key handed to `step(metric)`. ReduceLROnPlateau always gets a metric: this key, or
   * by default 'val_loss' when there is validation data and 'loss' otherwise (per batch: the
   * batch loss). Other schedules get one only when this is set.
   */
  monitor?: string;
}

/** Steps an @axon/optim schedule once per epoch (after the epoch's logs) or once per batch. */
export class LearningRateScheduler implements Callback {
  readonly perBatch: boolean;
  readonly monitor: string | undefined;

  constructor(
    readonly schedule: ScheduleLike,
    options: LearningRateSchedulerOptions = {},
  ) {
    if (!schedule || typeof schedule.step !== 'function') {
      throw new ValueError(
        'LearningRateScheduler: expected a schedule with step() (StepLR, CosineAnnealingLR, ...)',
      );
    }
    this.perBatch = options.perBatch ?? false;
    this.monitor = options.monitor;
  }

  /** Whether the schedule is stepped with a metric (ReduceLROnPlateau, or a monitor was given). */
  get needsMetric(): boolean {
    return this.monitor !== undefined || isPlateau(this.schedule);
  }

  onBatchEnd(_batch: number, logs: Logs, ctx?: FitContext): void {
    if (!this.perBatch) return;
    if (this.needsMetric) this.schedule.step(this.metric(logs, this.monitor ?? 'loss', ctx?.customStep));
    else this.schedule.step();
  }

  onEpochEnd(_epoch: number, logs: Logs, ctx: FitContext): void {
    if (this.perBatch) return;
    if (this.needsMetric)
      this.schedule.step(this.metric(logs, this.monitor ?? (ctx.hasValData ? 'val_loss' : 'loss')));
    else this.schedule.step();
  }

  private metric(logs: Logs, key: string, customStep = false): number {
    const v = logs[key];
    if (typeof v !== 'number') {
      const hint = customStep
        ? " (a custom step's logs reach onBatchEnd only at read-back batches: set fit's logEvery to 1 for a per-batch metric)"
        : '';
      throw new ValueError(
        `LearningRateScheduler: monitor '${key}' is not in the logs${hint}; available: ${Object.keys(logs).join(', ')}`,
      );
    }
    return v;
  }
}

function isPlateau(schedule: ScheduleLike): boolean {
  if (schedule instanceof ReduceLROnPlateau) return true;
  // Another copy of @axon/optim (a bundled app): go by the class name.
  for (let p: object | null = Object.getPrototypeOf(schedule); p; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === 'ReduceLROnPlateau') return true;
  }
  return false;
}
