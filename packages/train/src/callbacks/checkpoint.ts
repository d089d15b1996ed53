import { load, type Module, save } from '@axon/layers';
import { checkPositiveInt, defaultGenerator, type Tensor, ValueError } from '@axon/tensor';
import type { Callback, FitContext, Logs, OptimizerLike, OptimizerStateLike, ScheduleLike } from '../types';
import { LearningRateScheduler } from './lr_scheduler';
import { improves, type MonitorMode, monitored, resolveMode } from './monitor';

export interface CheckpointOptions {
  /** The model file to write; '{epoch}' in it is replaced by the (1-based) epoch number. */
  path: string;
  /** Save every this many epochs (default 1). */
  every?: number;
  /** Save only when the monitored value improves on the best saved so far (default false). */
  saveBestOnly?: boolean;
  /** The logs key for saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (max for accuracy-like keys; default). */
  mode?: MonitorMode;
}

/** What a checkpoint stores beside the weights, in the model file's `extra.json.checkpoint`. */
export interface CheckpointState {
  format: 'axon-checkpoint';
  version: 1;
  /** The epoch index (0-based) to continue from: the saved epoch + 1. */
  epoch: number;
  epochs: number;
  logs: Logs;
  optimizer: {
    paramGroups: Record<string, unknown>[];
    /** The optimizer's per-parameter numbers; its tensors are extra tensors named `optimizer/<param>/<key>`. */
    state: Record<string, Record<string, number>>;
    tensors: Record<string, Record<string, string>>;
  };
  /** stateDict() of each LearningRateScheduler callback's schedule, in callback order. */
  schedules: unknown[];
  /** The default generator's state, so seeded shuffling and dropout continue the same. */
  rng: { seed: number; offset: number };
  monitor?: { key: string; best: number };
}

const FORMAT = 'axon-checkpoint';

/**
 * Saves the model and the optimizer's state (with `save` from @axon/layers; the optimizer's
 * tensors and numbers go into the model file's `extra`) at the end of every `every`-th epoch, or
 * only when the monitored value improves. `resume` restores both.
 */
export class Checkpoint implements Callback {
  readonly path: string;
  readonly every: number;
  readonly saveBestOnly: boolean;
  readonly monitor: string;
  private readonly mode: 'min' | 'max';
  /** The best monitored value saved so far (saveBestOnly). */
  best = Number.NaN;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(options: CheckpointOptions) {
    if (!options || typeof options.path !== 'string' || !options.path) {
      throw new ValueError('Checkpoint: a path is required');
    }
    const { every = 1, saveBestOnly = false, monitor = 'val_loss', mode = 'auto' } = options;
    checkPositiveInt('Checkpoint', 'every', every);
    this.path = options.path;
    this.every = every;
    this.saveBestOnly = saveBestOnly;
    this.monitor = monitor;
    this.mode = resolveMode(monitor, mode, 'Checkpoint');
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): Promise<void> {
    if ((epoch + 1) % this.every !== 0) return;
    let monitor: CheckpointState['monitor'];
    if (this.saveBestOnly) {
      const value = monitored(logs, this.monitor, 'Checkpoint');
      if (!improves(value, this.best, this.mode)) return;
      this.best = value;
      monitor = { key: this.monitor, best: value };
    }
    const path = this.path.replaceAll('{epoch}', String(epoch + 1));
    await saveCheckpoint(path, ctx.model, ctx.optimizer, {
      epoch: epoch + 1,
      epochs: ctx.epochs,
      logs,
      schedules: ctx.callbacks
        .filter((c): c is LearningRateScheduler => c instanceof LearningRateScheduler)
        .map((c) => c.schedule),
      monitor,
    });
    this.saved.push(path);
  }
}

/**
 * Writes a checkpoint by hand: the model file at `path` with the optimizer state, the schedules'
 * states, the RNG state and `epoch` (the epoch index to continue from) in its `extra`.
 */
export async function saveCheckpoint(
  path: string,
  model: Module,
  optimizer: OptimizerLike,
  info: {
    epoch: number;
    epochs?: number;
    logs?: Logs;
    schedules?: ScheduleLike[];
    monitor?: CheckpointState['monitor'];
  },
): Promise<void> {
  const opt = optimizer.stateDict();
  const tensors: Record<string, Tensor> = {};
  const numbers: Record<string, Record<string, number>> = {};
  const tensorNames: Record<string, Record<string, string>> = {};
  for (const [param, entries] of Object.entries(opt.state)) {
    for (const [key, value] of Object.entries(entries)) {
      if (typeof value === 'number') {
        numbers[param] ??= {};
        numbers[param][key] = value;
      } else {
        const name = `optimizer/${param}/${key}`;
        tensors[name] = value;
        tensorNames[param] ??= {};
        tensorNames[param][key] = name;
      }
    }
  }
  const state: CheckpointState = {
    format: FORMAT,
    version: 1,
    epoch: info.epoch,
    epochs: info.epochs ?? info.epoch,
    logs: info.logs ?? {},
    optimizer: { paramGroups: opt.paramGroups, state: numbers, tensors: tensorNames },
    schedules: (info.schedules ?? []).map((s) => (typeof s.stateDict === 'function' ? s.stateDict() : null)),
    rng: defaultGenerator().getState(),
  };
  if (info.monitor) state.monitor = info.monitor;
  await save(model, path, { extra: { json: { checkpoint: state }, tensors } });
}

export interface ResumeOptions {
  /** Schedules to restore, in the order of the LearningRateScheduler callbacks that were checkpointed. */
  schedules?: ScheduleLike[];
  /** Restore the default generator's state (default true). */
  restoreRng?: boolean;
}

/**
 * Restores a checkpoint written by Checkpoint into `model` (its weights, strictly) and
 * `optimizer` (its state), plus the given schedules and the default RNG, and returns the epoch
 * index to continue from: pass it as fit's `initialEpoch`.
 */
export async function resume(
  path: string,
  model: Module,
  optimizer: OptimizerLike,
  options: ResumeOptions = {},
): Promise<number> {
  const { model: saved, extra } = await load(path);
  try {
    const ck = (extra.json as { checkpoint?: CheckpointState } | undefined)?.checkpoint;
    if (!ck || ck.format !== FORMAT) {
      throw new ValueError(
        `resume: ${path} is a model file without checkpoint state (write it with Checkpoint)`,
      );
    }
    if (ck.version !== 1) {
      throw new ValueError(`resume: ${path} holds checkpoint version ${ck.version}; this reads version 1`);
    }
    try {
      model.loadStateDict(saved.stateDict());
    } catch (e) {
      throw new ValueError(
        `resume: ${path}: the checkpoint's weights do not fit this model: ${(e as Error).message}`,
      );
    }
    const state: OptimizerStateLike['state'] = {};
    for (const [param, entries] of Object.entries(ck.optimizer.state)) state[param] = { ...entries };
    for (const [param, names] of Object.entries(ck.optimizer.tensors)) {
      for (const [key, name] of Object.entries(names)) {
        const t = extra.tensors[name];
        if (!t) throw new ValueError(`resume: ${path}: optimizer tensor '${name}' is missing from the file`);
        state[param] ??= {};
        state[param][key] = t;
      }
    }
    optimizer.loadStateDict({ state, paramGroups: ck.optimizer.paramGroups });
    const schedules = options.schedules ?? [];
    schedules.forEach((s, i) => {
      const st = ck.schedules[i];
      if (st === undefined || st === null) {
        throw new ValueError(
          `resume: ${path} holds no state for schedule ${i} (it saved ${ck.schedules.length})`,
        );
      }
      if (typeof s.loadStateDict !== 'function')
        throw new ValueError(`resume: schedule ${i} has no loadStateDict()`);
      s.loadStateDict(st as never);
    });
    if (options.restoreRng ?? true) defaultGenerator().setState(ck.rng);
    return ck.epoch;
  } finally {
    saved.dispose();
    for (const t of Object.values(extra.tensors)) t.dispose();
  }
}
