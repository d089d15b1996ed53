import { noGrad } from '@axon/autograd';
import { keep, type Tensor, tidy, ValueError } from '@axon/tensor';
import type { Callback, FitContext, Logs } from '../types';
import { improves, type MonitorMode, monitored, resolveMode } from './monitor';

export interface EarlyStoppingOptions {
  /** The epoch-logs key to watch (default 'val_loss'). */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (default 0, like 1: at the first). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min', 'max', or 'auto' (max for accuracy-like keys; default). */
  mode?: MonitorMode;
  /** At the end of training, load the weights of the best epoch back into the model (default false). */
  restoreBest?: boolean;
}

/** Stops training when the monitored value has not improved for `patience` epochs (as Keras). */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBest: boolean;
  private readonly mode: 'min' | 'max';
  private wait = 0;
  /** The best monitored value so far. */
  best = Number.NaN;
  /** The epoch (0-based) of the best value, or -1. */
  bestEpoch = -1;
  /** The epoch (0-based) after which training stopped, or -1 when it did not stop early. */
  stoppedEpoch = -1;
  private snapshot: Record<string, Tensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const { monitor = 'val_loss', patience = 0, minDelta = 0, mode = 'auto', restoreBest = false } = options;
    if (typeof monitor !== 'string' || !monitor)
      throw new ValueError('EarlyStopping: monitor must be a logs key');
    if (!Number.isInteger(patience) || patience < 0) {
      throw new ValueError(`EarlyStopping: patience must be a non-negative integer, got ${patience}`);
    }
    if (!(minDelta >= 0)) throw new ValueError(`EarlyStopping: minDelta must be >= 0, got ${minDelta}`);
    this.monitor = monitor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.restoreBest = restoreBest;
    this.mode = resolveMode(monitor, mode, 'EarlyStopping');
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.dropSnapshot();
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): 'stop' | undefined {
    const value = monitored(logs, this.monitor, 'EarlyStopping');
    if (improves(value, this.best, this.mode, this.minDelta)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBest) this.takeSnapshot(ctx);
      return undefined;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      return 'stop';
    }
    return undefined;
  }

  onTrainEnd(_logs: Logs, ctx: FitContext): void {
    if (this.restoreBest && this.snapshot) ctx.model.loadStateDict(this.snapshot);
    this.dropSnapshot();
  }

  private takeSnapshot(ctx: FitContext): void {
    this.dropSnapshot();
    const state = ctx.model.stateDict();
    this.snapshot = noGrad(() =>
      tidy(() => Object.fromEntries(Object.entries(state).map(([k, t]) => [k, keep(t.clone())]))),
    );
  }

  private dropSnapshot(): void {
    if (this.snapshot) for (const t of Object.values(this.snapshot)) t.dispose();
    this.snapshot = null;
  }
}
