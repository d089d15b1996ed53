/**
 * The batches `train` and `eval` feed to fit and evaluate, with how many examples a split holds.
 * Image and sine data sets are TensorDatasets that a DataLoader batches; text and parse trees are
 * batched the way their model reads them (carried-state streams, shuffled windows, sentences of
 * similar length, encoded trees), so those families bring their own batching (a `Batcher`,
 * corpora.ts). Either way a command asks for a split's batches the same way.
 */
import { DataLoader } from '@axon/datasets';
import type { Module } from '@axon/layers';
import type { Tensor } from '@axon/tensor';
import type { DataSource } from '@axon/train';
import { type DataSetName, loadSplit, type Split } from './data_sets';

export interface BatchOptions {
  /** Only the first `limit` examples (images, sentences, dates; for text: characters). */
  limit?: number;
  batchSize: number;
  /** Reshuffle every epoch (training), or keep the order (evaluation). */
  shuffle: boolean;
  seed: number;
}

export interface SplitBatches {
  source: DataSource;
  /** How many examples the split holds, as `unit` counts them. */
  count: number;
  /** What an example is, in the plural: 'examples', 'characters', 'sentences'. */
  unit: string;
  /** The whole split's x, for a tensor data set (what an RBM's biases start from). */
  x?: Tensor;
}

/** A family's own batching of its data set's split, for `model` (an RNTN encodes its trees). */
export type Batcher = (model: Module, split: Split, options: BatchOptions) => Promise<SplitBatches>;

/** A tensor data set's split in a DataLoader, x passed through `inputs` (a GAN's [-1, 1]). */
export async function tensorBatches(
  data: DataSetName,
  split: Split,
  { limit, batchSize, shuffle, seed }: BatchOptions,
  inputs?: (x: Tensor) => Tensor,
): Promise<SplitBatches> {
  const set = await loadSplit(data, split, limit, inputs);
  return {
    source: new DataLoader(set, { batchSize, shuffle, seed }),
    count: set.length,
    unit: 'examples',
    x: set.x,
  };
}
