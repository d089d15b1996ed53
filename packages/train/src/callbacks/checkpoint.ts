/**
 * Checkpoints: a training run saved at epoch ends (the model with every sub-module, every
 * optimizer's state, schedules, generators, the step count) and `resume`, which restores it so that
 * the continued run matches an uninterrupted one.
 */
import { load, type Module, save } from '@axon/layers';
import {
  checkPositiveInt,
  defaultGenerator,
  describeValue,
  Generator,
  type Tensor,
  ValueError,
} from '@axon/tensor';
import { isOptimizerLike } from '../step';
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

/** One optimizer's state in a checkpoint: its numbers and groups; its tensors are the model file's extra tensors. */
export interface SavedOptimizerState {
  paramGroups: Record<string, unknown>[];
  /** The optimizer's per-parameter numbers. */
  state: Record<string, Record<string, number>>;
  /** The names of its per-parameter tensors among the file's extra tensors. */
  tensors: Record<string, Record<string, string>>;
}

/** What a checkpoint stores beside the weights, in the model file's `extra.json.checkpoint`. */
export interface CheckpointState {
  format: 'axon-checkpoint';
  /** 2 (version 1 held a single `optimizer` instead of `optimizers`; resume reads both). */
  version: 2;
  /** The epoch index (0-based) to continue from: the saved epoch + 1. */
  epoch: number;
  epochs: number;
  logs: Logs;
  /**
   * Every optimizer of the fit by name ('default' for fit's `optimizer`); optimizer `name`'s
   * tensors are extra tensors named `optimizers/<name>/<param>/<key>`.
   */
  optimizers: Record<string, SavedOptimizerState>;
  /** stateDict() of each LearningRateScheduler callback's schedule, in callback order. */
  schedules: unknown[];
  /** The default generator's state, so seeded shuffling and dropout continue the same. */
  rng: { seed: number; offset: number };
  /** Training steps done (where `ctx.step` continues). */
  step: number;
  /** fit's seed, which keys the step generator per epoch; and that generator's state at the save. */
  stepRng: { seed: number; generator: { seed: number; offset: number } } | null;
  monitor?: { key: string; best: number };
}

/** Fit's optimizers, or one optimizer (named 'default'). */
export type Optimizers = OptimizerLike | Readonly<Record<string, OptimizerLike>>;

const FORMAT = 'axon-checkpoint';

/**
 * Saves the model — its parameters and buffers, every sub-module's — and every optimizer's state
 * (with `save` from @axon/layers; the optimizers' tensors and numbers go into the model file's
 * `extra`), the schedules, the generators and the step count at the end of every `every`-th
 * epoch, or only when the monitored value improves. `resume` restores them. The model's class
 * must be registered (registerLayer) so that the file can be read back.
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
    await saveCheckpoint(path, ctx.model, ctx.optimizers, {
      epoch: epoch + 1,
      epochs: ctx.epochs,
      logs,
      schedules: ctx.callbacks
        .filter((c): c is LearningRateScheduler => c instanceof LearningRateScheduler)
        .map((c) => c.schedule),
      monitor,
      step: ctx.step,
      seed: ctx.seed,
      generator: ctx.generator,
    });
    this.saved.push(path);
  }
}

/**
 * Writes a checkpoint by hand: the model file at `path` with every optimizer's state (one
 * optimizer, or fit's optimizers by name), the schedules' states, the RNG states, the step count
 * and `epoch` (the epoch index to continue from) in its `extra`.
 */
export async function saveCheckpoint(
  path: string,
  model: Module,
  optimizers: Optimizers,
  info: {
    epoch: number;
    epochs?: number;
    logs?: Logs;
    schedules?: ScheduleLike[];
    monitor?: CheckpointState['monitor'];
    /** Training steps done (default 0). */
    step?: number;
    /** fit's seed and its step generator (default: none saved). */
    seed?: number;
    generator?: Generator;
  },
): Promise<void> {
  const byName = optimizerRecord(optimizers, 'saveCheckpoint');
  const tensors: Record<string, Tensor> = {};
  const saved: Record<string, SavedOptimizerState> = {};
  for (const [name, optimizer] of Object.entries(byName)) {
    const opt = optimizer.stateDict();
    const numbers: Record<string, Record<string, number>> = {};
    const tensorNames: Record<string, Record<string, string>> = {};
    for (const [param, entries] of Object.entries(opt.state)) {
      for (const [key, value] of Object.entries(entries)) {
        if (typeof value === 'number') {
          numbers[param] ??= {};
          numbers[param][key] = value;
        } else {
          const tensorName = `optimizers/${name}/${param}/${key}`;
          tensors[tensorName] = value;
          tensorNames[param] ??= {};
          tensorNames[param][key] = tensorName;
        }
      }
    }
    saved[name] = { paramGroups: opt.paramGroups, state: numbers, tensors: tensorNames };
  }
  const state: CheckpointState = {
    format: FORMAT,
    version: 2,
    epoch: info.epoch,
    epochs: info.epochs ?? info.epoch,
    logs: info.logs ?? {},
    optimizers: saved,
    schedules: (info.schedules ?? []).map((s) => (typeof s.stateDict === 'function' ? s.stateDict() : null)),
    rng: defaultGenerator().getState(),
    step: info.step ?? 0,
    stepRng:
      info.seed === undefined
        ? null
        : { seed: info.seed, generator: (info.generator ?? new Generator(info.seed)).getState() },
  };
  if (info.monitor) state.monitor = info.monitor;
  await save(model, path, { extra: { json: { checkpoint: state }, tensors } });
}

/** One optimizer as { default: opt }, or a record of them checked. */
function optimizerRecord(optimizers: Optimizers, who: string): Readonly<Record<string, OptimizerLike>> {
  if (isOptimizerLike(optimizers)) return { default: optimizers };
  if (optimizers === null || typeof optimizers !== 'object' || Array.isArray(optimizers)) {
    throw new ValueError(
      `${who}: expected an optimizer or an object of optimizers by name, got ${describeValue(optimizers)}`,
    );
  }
  for (const [name, opt] of Object.entries(optimizers)) {
    if (!isOptimizerLike(opt)) {
      throw new ValueError(
        `${who}: expected optimizers.${name} to be an optimizer, got ${describeValue(opt)}`,
      );
    }
  }
  return optimizers;
}

export interface ResumeOptions {
  /** Schedules to restore, in the order of the LearningRateScheduler callbacks that were checkpointed. */
  schedules?: ScheduleLike[];
  /** Restore the default generator's state (default true). */
  restoreRng?: boolean;
}

/**
 * Restores a checkpoint written by Checkpoint into `model` (its weights and buffers, every
 * sub-module's, strictly) and its optimizers (one optimizer, when the checkpoint holds one; else
 * fit's optimizers by the names they were saved under), plus the given schedules and the default
 * RNG, and returns the epoch index to continue from: pass it as fit's `initialEpoch` (with the same
 * `seed`, the step generator continues too; `ctx.step` continues when the data source tells its
 * length, or pass `initialStep`: the checkpoint's `step`).
 */
export async function resume(
  path: string,
  model: Module,
  optimizers: Optimizers,
  options: ResumeOptions = {},
): Promise<number> {
  const byName = optimizerRecord(optimizers, 'resume');
  const { model: saved, extra } = await load(path);
  try {
    const ck = (extra.json as { checkpoint?: CheckpointState | CheckpointStateV1 } | undefined)?.checkpoint;
    if (!ck || ck.format !== FORMAT) {
      throw new ValueError(
        `resume: ${path} is a model file without checkpoint state (write it with Checkpoint)`,
      );
    }
    if (ck.version !== 1 && ck.version !== 2) {
      throw new ValueError(
        `resume: ${path} holds checkpoint version ${(ck as { version: unknown }).version}; this reads versions 1 and 2`,
      );
    }
    const savedOpts: Record<string, SavedOptimizerState> =
      ck.version === 1 ? { default: ck.optimizer } : ck.optimizers;
    const savedNames = Object.keys(savedOpts);
    let pairs: [OptimizerLike, SavedOptimizerState][];
    if (isOptimizerLike(optimizers)) {
      if (savedNames.length !== 1) {
        throw new ValueError(
          `resume: ${path} holds ${savedNames.length} optimizers (${savedNames.join(', ')}): pass them by name, { ${savedNames.join(', ')} }`,
        );
      }
      pairs = [[optimizers, savedOpts[savedNames[0]]]];
    } else {
      const given = Object.keys(byName);
      if (given.length !== savedNames.length || given.some((n) => !Object.hasOwn(savedOpts, n))) {
        throw new ValueError(
          `resume: ${path} holds the optimizers ${savedNames.join(', ') || '(none)'}, got ${given.join(', ') || '(none)'}`,
        );
      }
      pairs = given.map((n) => [byName[n], savedOpts[n]]);
    }
    try {
      model.loadStateDict(saved.stateDict());
    } catch (e) {
      throw new ValueError(
        `resume: ${path}: the checkpoint's weights do not fit this model: ${(e as Error).message}`,
      );
    }
    for (const [optimizer, so] of pairs) {
      const state: OptimizerStateLike['state'] = {};
      for (const [param, entries] of Object.entries(so.state)) state[param] = { ...entries };
      for (const [param, names] of Object.entries(so.tensors)) {
        for (const [key, name] of Object.entries(names)) {
          const t = extra.tensors[name];
          if (!t)
            throw new ValueError(`resume: ${path}: optimizer tensor '${name}' is missing from the file`);
          state[param] ??= {};
          state[param][key] = t;
        }
      }
      optimizer.loadStateDict({ state, paramGroups: so.paramGroups });
    }
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

/** A version-1 checkpoint (one optimizer, tensors named `optimizer/<param>/<key>`). */
interface CheckpointStateV1 extends Omit<CheckpointState, 'version' | 'optimizers' | 'step' | 'stepRng'> {
  version: 1;
  optimizer: SavedOptimizerState;
}
