import { describeValue as describe, ValueError } from '@axon/tensor';
import { checkInteger, checkNumber, Optimizer } from './optimizer';

/** A schedule's `stateDict()`: its counters and options (plain JSON-able values). */
export type SchedulerState = Record<string, unknown>;

function checkOptimizer(where: string, optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new ValueError(`${where}: expected an Optimizer, got ${describe(optimizer)}`);
  }
  return optimizer;
}

function checkOptions(where: string, options: unknown, allowed: string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ValueError(`${where}: unknown option '${key}' (expected one of ${allowed.join(', ')})`);
    }
  }
  return options as Record<string, unknown>;
}

function checkState(where: string, state: unknown): Record<string, unknown> {
  if (!state || typeof state !== 'object' || Array.isArray(state)) {
    throw new ValueError(`${where}: expected a state object, got ${describe(state)}`);
  }
  return state as Record<string, unknown>;
}

function numberList(where: string, key: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number')) {
    throw new ValueError(
      `${where}: ${key} must be a list of ${length} numbers, got ${JSON.stringify(value)}`,
    );
  }
  return [...value];
}

/**
 * The base of the epoch-indexed schedules, after torch.optim.lr_scheduler.LRScheduler: building one
 * records each group's starting lr (`initialLr` in the group, kept if already there, as torch's
 * `initial_lr`) and sets epoch 0; each `step()` moves to the next epoch and sets every group's lr to
 * the schedule's closed form at that epoch. (Being closed forms, schedules do not compose: a second
 * schedule on the same optimizer overrides the first.)
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The epoch (number of `step()` calls) the current lr belongs to; 0 after construction. */
  lastEpoch = -1;
  /** Each group's starting lr. */
  baseLrs: number[];
  private lastLr: number[] = [];

  protected constructor(
    readonly name: string,
    optimizer: Optimizer,
  ) {
    this.optimizer = checkOptimizer(name, optimizer);
    this.baseLrs = [];
  }

  /** Called by a subclass's constructor once its options are checked: records the base lrs, sets epoch 0. */
  protected start(): void {
    for (const group of this.optimizer.paramGroups) {
      if (typeof group.initialLr !== 'number') group.initialLr = group.lr;
    }
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
    this.step();
  }

  /** The lr of a group whose starting lr is `baseLr`, at `epoch` (>= 0). */
  abstract lrAt(baseLr: number, epoch: number): number;

  /** The options, for `stateDict` (and the error messages). */
  protected abstract options(): Record<string, unknown>;

  /** Moves to the next epoch (call once per epoch, after the epoch's optimizer steps). */
  step(): void {
    this.lastEpoch++;
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new ValueError(
        `${this.name}: the optimizer has ${groups.length} parameter groups, the schedule was built for ${this.baseLrs.length}`,
      );
    }
    groups.forEach((g, i) => {
      g.lr = this.lrAt(this.baseLrs[i], this.lastEpoch);
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The lr of each group as this schedule last set it. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    return {
      ...this.options(),
      lastEpoch: this.lastEpoch,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
  }

  /**
   * Restores the epoch and base lrs of a `stateDict()` (like torch, the groups' lrs themselves come
   * back with the optimizer's state dict).
   */
  loadStateDict(state: SchedulerState): void {
    const where = `${this.name}.loadStateDict`;
    const s = checkState(where, state);
    const n = this.optimizer.paramGroups.length;
    const lastEpoch = checkInteger(where, 'lastEpoch', s.lastEpoch, -1);
    const baseLrs = numberList(where, 'baseLrs', s.baseLrs, n);
    const lastLr = s.lastLr === undefined ? [] : numberList(where, 'lastLr', s.lastLr, n);
    this.lastEpoch = lastEpoch;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
  }
}

export interface StepLROptions {
  /** Epochs between two decays. */
  stepSize: number;
  gamma?: number;
}

/** lr = baseLr · gamma^⌊epoch / stepSize⌋ (torch.optim.lr_scheduler.StepLR). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    const o = checkOptions('StepLR', options, ['stepSize', 'gamma']);
    this.stepSize = checkInteger('StepLR', 'stepSize', o.stepSize, 1);
    this.gamma = checkNumber('StepLR', 'gamma', o.gamma ?? 0.1, { min: 0 });
    this.start();
  }

  lrAt(baseLr: number, epoch: number): number {
    return baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }

  protected options(): Record<string, unknown> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }
}

export interface ExponentialLROptions {
  gamma: number;
}

/** lr = baseLr · gamma^epoch (torch.optim.lr_scheduler.ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    const o = checkOptions('ExponentialLR', options, ['gamma']);
    this.gamma = checkNumber('ExponentialLR', 'gamma', o.gamma, { min: 0 });
    this.start();
  }

  lrAt(baseLr: number, epoch: number): number {
    return baseLr * this.gamma ** epoch;
  }

  protected options(): Record<string, unknown> {
    return { gamma: this.gamma };
  }
}

export interface CosineAnnealingLROptions {
  /** Epochs of the half period: the lr reaches etaMin at epoch tMax (and climbs back after). */
  tMax: number;
  etaMin?: number;
}

/**
 * lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch/tMax))/2, the closed form of
 * torch.optim.lr_scheduler.CosineAnnealingLR (no restarts).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    const o = checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    this.tMax = checkInteger('CosineAnnealingLR', 'tMax', o.tMax, 1);
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', o.etaMin ?? 0, { min: 0 });
    this.start();
  }

  lrAt(baseLr: number, epoch: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }

  protected options(): Record<string, unknown> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }
}

export interface LinearWarmupOptions {
  /** Steps to go from startFactor·baseLr to baseLr; the lr stays at baseLr after. */
  warmupSteps: number;
  startFactor?: number;
}

/**
 * lr = baseLr·(startFactor + (1 − startFactor)·min(step, warmupSteps)/warmupSteps): torch's
 * LinearLR with end_factor 1 and total_iters = warmupSteps. Usually stepped once per batch.
 */
export class LinearWarmup extends LRScheduler {
  readonly warmupSteps: number;
  readonly startFactor: number;

  constructor(optimizer: Optimizer, options: LinearWarmupOptions) {
    super('LinearWarmup', optimizer);
    const o = checkOptions('LinearWarmup', options, ['warmupSteps', 'startFactor']);
    this.warmupSteps = checkInteger('LinearWarmup', 'warmupSteps', o.warmupSteps, 1);
    this.startFactor = checkNumber('LinearWarmup', 'startFactor', o.startFactor ?? 0, { min: 0, max: 1 });
    this.start();
  }

  lrAt(baseLr: number, epoch: number): number {
    const progress = Math.min(epoch, this.warmupSteps) / this.warmupSteps;
    return baseLr * (this.startFactor + (1 - this.startFactor) * progress);
  }

  protected options(): Record<string, unknown> {
    return { warmupSteps: this.warmupSteps, startFactor: this.startFactor };
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← lr·factor on a reduction (< 1). */
  factor?: number;
  /** Epochs without improvement tolerated before a reduction. */
  patience?: number;
  /** The least change that counts as an improvement (relative or absolute, see thresholdMode). */
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. */
  cooldown?: number;
  /** The lowest lr, one for all groups or one per group. */
  minLr?: number | number[];
  /** A reduction smaller than this is not applied. */
  eps?: number;
}

/**
 * Lowers the lr when a metric stops improving (torch.optim.lr_scheduler.ReduceLROnPlateau):
 * `step(metric)` once per epoch; after more than `patience` epochs without improvement, every
 * group's lr becomes max(lr·factor, minLr), then `cooldown` epochs pass before bad epochs count
 * again. It reads and changes the groups' current lr (not a base lr).
 */
export class ReduceLROnPlateau {
  readonly name = 'ReduceLROnPlateau';
  readonly optimizer: Optimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(where, optimizer);
    const o = checkOptions(where, options, [
      'mode',
      'factor',
      'patience',
      'threshold',
      'thresholdMode',
      'cooldown',
      'minLr',
      'eps',
    ]);
    const mode = o.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') {
      throw new ValueError(`${where}: mode must be 'min' or 'max', got ${JSON.stringify(mode)}`);
    }
    this.mode = mode;
    const thresholdMode = o.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new ValueError(
        `${where}: thresholdMode must be 'rel' or 'abs', got ${JSON.stringify(thresholdMode)}`,
      );
    }
    this.thresholdMode = thresholdMode;
    this.factor = checkNumber(where, 'factor', o.factor ?? 0.1, { min: 0, max: 1, exclusiveMax: true });
    this.patience = checkInteger(where, 'patience', o.patience ?? 10, 0);
    this.threshold = checkNumber(where, 'threshold', o.threshold ?? 1e-4, { min: 0 });
    this.cooldown = checkInteger(where, 'cooldown', o.cooldown ?? 0, 0);
    this.eps = checkNumber(where, 'eps', o.eps ?? 1e-8, { min: 0 });
    const n = this.optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) {
        throw new ValueError(`${where}: expected ${n} values in minLr (one per group), got ${minLr.length}`);
      }
      this.minLrs = minLr.map((v, i) => checkNumber(where, `minLr[${i}]`, v, { min: 0 }));
    } else {
      this.minLrs = new Array(n).fill(checkNumber(where, 'minLr', minLr, { min: 0 }));
    }
    this.best = this.worst();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records the epoch's metric (a loss in 'min' mode) and lowers the lrs when it has stalled. */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new ValueError(`ReduceLROnPlateau.step: metric must be a number, got ${describe(metric)}`);
    }
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether a cooldown is running (bad epochs are not counted). */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Counters and options. `best` is ±Infinity before the first step (JSON writes null; loading takes it back). */
  stateDict(): SchedulerState {
    return {
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      thresholdMode: this.thresholdMode,
      cooldown: this.cooldown,
      minLrs: [...this.minLrs],
      eps: this.eps,
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores the counters and the best metric (the options stay as constructed). */
  loadStateDict(state: SchedulerState): void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    const s = checkState(where, state);
    const best = s.best === null || s.best === undefined ? this.worst() : s.best;
    if (typeof best !== 'number' || Number.isNaN(best)) {
      throw new ValueError(`${where}: best must be a number, got ${describe(s.best)}`);
    }
    const numBadEpochs = checkInteger(where, 'numBadEpochs', s.numBadEpochs, 0);
    const cooldownCounter = checkInteger(where, 'cooldownCounter', s.cooldownCounter, 0);
    const lastEpoch = checkInteger(where, 'lastEpoch', s.lastEpoch, 0);
    const n = this.optimizer.paramGroups.length;
    const lastLr = s.lastLr === undefined ? this.lastLr : numberList(where, 'lastLr', s.lastLr, n);
    this.best = best;
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
    this.lastEpoch = lastEpoch;
    this.lastLr = lastLr;
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    }
    return this.thresholdMode === 'rel' ? a > best * (1 + this.threshold) : a > best + this.threshold;
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i] ?? 0);
      if (old - next > this.eps) g.lr = next;
    });
  }
}
