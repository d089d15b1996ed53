/**
 * Greedy layer-wise pretraining of a DBN (Hinton, Osindero & Teh 2006): the RBMs are trained one
 * after another from the bottom, each by `fit` (its own CD step) on the data passed up through the
 * ones already trained — p(h | v) of each, the mean-field activities. Every layer gets its own
 * optimizer, epochs and callbacks, and returns its own History (the per-layer curves).
 */
import { noGrad } from '@axon/autograd';
import { checkOptions, checkPositiveInt, describeValue, ValueError } from '@axon/tensor';
import {
  type Batch,
  type Callback,
  fit,
  type History,
  type OptimizerLike,
  type ProgressMode,
} from '@axon/train';
import type { RBM } from '../rbm/rbm';
import type { DBN } from './dbn';

/** Batches the pretraining reads: a synchronous iterable (a DataLoader, an array), or a function giving one per epoch. */
export type DbnData = Iterable<Batch> | (() => Iterable<Batch>);

export interface DbnPretrainOptions {
  /** Epochs of every layer, or one number per layer. */
  epochs: number | number[];
  /** The optimizer of layer i's RBM, e.g. `(rbm) => new SGD(rbm.parameterGroups(2e-4), {lr: 0.05, momentum: 0.9})`. */
  optimizer: (rbm: RBM, layer: number) => OptimizerLike;
  /** Callbacks for layer i's fit (schedules, loggers). */
  callbacks?: (rbm: RBM, layer: number) => Callback[];
  /** Validated after every epoch of every layer (through the layers below, as the training data). */
  valData?: DbnData;
  /** fit's seed for each layer's step generator (default 0; layer i uses seed + i). */
  seed?: number;
  /** fit's progress output (default 'auto'). */
  progress?: ProgressMode;
}

/** `source`'s batches with x passed up through the first `layers` RBMs (no gradients), keeping its length. */
export function layerData(
  model: DBN,
  source: DbnData,
  layers: number,
): Iterable<Batch> & { length?: number } {
  const open = (): Iterable<Batch> => {
    const it = typeof source === 'function' ? source() : source;
    if (!it || typeof (it as Iterable<Batch>)[Symbol.iterator] !== 'function') {
      throw new ValueError(
        `pretrainDbn: expected the data to be a synchronous iterable of {x} batches, got ${describeValue(it)}`,
      );
    }
    return it;
  };
  const known = typeof source === 'function' ? undefined : (source as { length?: unknown }).length;
  return {
    ...(typeof known === 'number' ? { length: known } : {}),
    *[Symbol.iterator]() {
      for (const batch of open()) yield { x: noGrad(() => model.up(batch.x, layers)) };
    },
  };
}

/**
 * Trains `model`'s RBMs bottom-up with `fit`; returns each layer's History. Batches are read
 * synchronously, so those made on the fly (the up pass) are freed with each step.
 */
export async function pretrainDbn(
  model: DBN,
  data: DbnData,
  options: DbnPretrainOptions,
): Promise<History[]> {
  const fn = 'pretrainDbn';
  const o = checkOptions(fn, options) as unknown as DbnPretrainOptions;
  const epochs = Array.isArray(o.epochs)
    ? o.epochs.map((e, i) => checkPositiveInt(fn, `epochs[${i}]`, e))
    : Array.from({ length: model.depth }, () => checkPositiveInt(fn, 'epochs', o.epochs));
  if (epochs.length !== model.depth) {
    throw new ValueError(`${fn}: expected ${model.depth} epoch counts (one per RBM), got ${epochs.length}`);
  }
  if (typeof o.optimizer !== 'function') {
    throw new ValueError(
      `${fn}: expected optimizer to be a function (rbm, layer) => optimizer, got ${describeValue(o.optimizer)}`,
    );
  }
  const histories: History[] = [];
  for (let i = 0; i < model.depth; i++) {
    const rbm = model.rbm(i);
    histories.push(
      await fit(rbm, {
        optimizer: o.optimizer(rbm, i),
        trainData: layerData(model, data, i),
        ...(o.valData !== undefined ? { valData: layerData(model, o.valData, i) } : {}),
        epochs: epochs[i],
        callbacks: o.callbacks?.(rbm, i) ?? [],
        seed: (o.seed ?? 0) + i,
        ...(o.progress !== undefined ? { progress: o.progress } : {}),
        disposeBatches: false,
      }),
    );
    rbm.resetChains();
  }
  return histories;
}
