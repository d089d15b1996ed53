/**
 * How the DBN trains and is scored, the one family that is not one `fit` of one model (the
 * mnist-dbn example): greedy layer-wise pretraining, each RBM trained by `fit` with its own CD
 * step on the up pass of the layers below, validated the same way; the curves are every layer's
 * reconstruction error (`recon_1`, `val_recon_1`, `recon_2`, …), and so is `axon eval`'s score.
 * The unrolled classifier (fine-tuning) is the example's; the CLI keeps the generative model.
 */

import type { Module } from '@axon/layers';
import { DBN, layerData, pretrainDbn } from '@axon/models';
import { SGD } from '@axon/optim';
import { evaluate, formatLogs, History, type Logs } from '@axon/train';
import type { SplitBatches } from './batches';
import { type Io, println } from './io';

export interface TrainRun {
  model: Module;
  train: SplitBatches;
  val: SplitBatches;
  epochs: number;
  lr: number;
  seed: number;
  io: Io;
}

function expectDbn(model: Module): DBN {
  if (!(model instanceof DBN)) throw new TypeError(`expected a DBN, got ${model.constructor.name}`);
  return model;
}

/**
 * Pretrains the RBMs bottom-up for `epochs` each: SGD with momentum 0.5 and weight decay 2e-4 on
 * the weights, a line per layer; returns the layers' curves as one History.
 */
export async function pretrain({ model, train, val, epochs, lr, seed, io }: TrainRun): Promise<History> {
  const dbn = expectDbn(model);
  const layers = await pretrainDbn(dbn, train.source as Iterable<never>, {
    epochs,
    optimizer: (rbm) => new SGD(rbm.parameterGroups(2e-4), { lr, momentum: 0.5 }),
    valData: val.source as Iterable<never>,
    seed,
    progress: false,
  });
  const history: Record<string, number[]> = {};
  layers.forEach((h, i) => {
    const last: Logs = {};
    for (const [key, values] of Object.entries(h.history)) {
      if (key !== 'recon' && key !== 'val_recon') continue;
      const name = `${key}_${i + 1}`;
      history[name] = [...values];
      last[name] = values[values.length - 1];
    }
    println(
      io.out,
      `RBM ${i + 1} (${dbn.sizes[i]}-${dbn.sizes[i + 1]}), ${epochs} epoch${epochs === 1 ? '' : 's'}  ${formatLogs(last)}`,
    );
  });
  return History.fromJSON({ epoch: Array.from({ length: epochs }, (_, e) => e), history });
}

/** Each RBM's squared reconstruction error per example on the test split passed up to it: `recon_1`, …. */
export async function layerReconstructions(model: Module, test: SplitBatches, seed: number): Promise<Logs> {
  const dbn = expectDbn(model);
  const logs: Logs = {};
  for (let i = 0; i < dbn.depth; i++) {
    const layer = await evaluate(dbn.rbm(i), layerData(dbn, test.source as Iterable<never>, i), { seed });
    logs[`recon_${i + 1}`] = layer.recon;
  }
  return logs;
}
