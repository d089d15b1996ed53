/**
 * The text and parse-tree data sets (tiny-shakespeare, the Stanford Sentiment Treebank and its
 * binary view, and the synthetic date pairs of date_pairs.ts), by the name `--data` takes, and the batchers of the families that read them, as
 * the examples batch them: carried-state streams for the char-LSTM, shuffled windows for the GPT,
 * sentences of similar length for the biLSTM, encoded trees for the RNTN. Unlike the tensor data
 * sets, their examples are not tensors of one shape, so the model family batches them (batches.ts).
 * Each corpus is read once per process and its vocabulary is the whole training split's, so it
 * does not depend on `--limit` and a file trained on a few sentences reads the same words.
 */
import { type CharCorpus, sst, type Tree, TreeVocabulary, tinyShakespeare, treeWords } from '@axon/datasets';
import type { Module } from '@axon/layers';
import { type RNTN, streamBatches } from '@axon/models';
import { Generator, randperm, type Tensor, tensor, tidy, uniform } from '@axon/tensor';
import type { Batch } from '@axon/train';
import type { Batcher, BatchOptions, SplitBatches } from './batches';
import type { Split } from './data_sets';

export const CORPORA = {
  'tiny-shakespeare': {
    summary:
      "Karpathy's tiny-shakespeare, 1,115,394 characters (65 distinct): first 90% train, last 10% test",
    unit: 'characters',
  },
  sst: {
    summary: 'Stanford Sentiment Treebank: 8,544 train and 2,210 test parse trees, a label 0-4 at every node',
    unit: 'trees',
  },
  'sst-2': {
    summary: 'SST-2: the Treebank sentences with a positive or negative root (6,920 train, 1,821 test)',
    unit: 'sentences',
  },
  dates: {
    summary:
      'dates 1950-2049 written a dozen ways and their ISO 8601 form: 20,000 train pairs from --seed, 2,000 test dates (seed 1997)',
    unit: 'dates',
  },
} satisfies Record<string, { summary: string; unit: string }>;

export type CorpusName = keyof typeof CORPORA;

export function isCorpusName(name: unknown): name is CorpusName {
  return typeof name === 'string' && Object.hasOwn(CORPORA, name);
}

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
};

/** tiny-shakespeare (its vocabulary: every character of the text). */
export const shakespeare = once(() => tinyShakespeare());

/** The Treebank's trees of a split ('test' is SST's test set), the binary view for `binary`. */
const treebank = {
  fine: { train: once(() => sst('train')), test: once(() => sst('test')) },
  binary: {
    train: once(() => sst('train', { binary: true })),
    test: once(() => sst('test', { binary: true })),
  },
};

/** The first `limit` trees of a split. */
async function trees(split: Split, binary: boolean, limit?: number): Promise<Tree[]> {
  const all = await treebank[binary ? 'binary' : 'fine'][split]();
  return limit === undefined ? all : all.slice(0, limit);
}

/** The lower-cased words of a view's whole training split, by frequency; id 0 the unknown word. */
export const sstVocabulary = {
  fine: once(async () => TreeVocabulary.fromTrees(await trees('train', false), { lowercase: true })),
  binary: once(async () => TreeVocabulary.fromTrees(await trees('train', true), { lowercase: true })),
};

/** The token ids of a split: the first 90% of the characters, or the last 10%, and the first `limit` of them. */
async function characters(split: Split, limit?: number): Promise<Int32Array> {
  const parts = (await shakespeare()).split(0.9);
  const ids = split === 'train' ? parts.train : parts.val;
  return limit === undefined ? ids : ids.subarray(0, limit);
}

/** A seeded draw in [0, n) per call (the streams' offset each epoch). */
function integers(seed: number): (n: number) => number {
  const generator = new Generator(seed);
  return (n) => Math.floor(tidy(() => uniform([1], 0, 1, { generator }).dataSync()[0]) * n);
}

/** A seeded permutation of 0 … n − 1 per call. */
function permutations(seed: number): (n: number) => number[] {
  const generator = new Generator(seed);
  return (n) => Array.from(tidy(() => randperm(n, { generator }).dataSync()));
}

/** What `--limit` counts in data set `name`: its examples, or a corpus's characters, sentences or trees. */
export const unitOf = (name: string): string => (isCorpusName(name) ? CORPORA[name].unit : 'examples');

const characterBatches = (source: Iterable<Batch> & { length: number }, count: number): SplitBatches => ({
  source,
  count,
  unit: unitOf('tiny-shakespeare'),
});

/**
 * Truncated BPTT batches (the char-LSTM): the text cut into `batchSize` streams, `seqLen`
 * characters of each per batch; training streams start at a new seeded offset every epoch.
 */
export function characterStreams(seqLen: number): Batcher {
  return async (_model, split, { limit, batchSize, shuffle, seed }) => {
    const ids = await characters(split, limit);
    const draw = integers(seed + 1);
    const offset = shuffle ? () => draw(seqLen) : undefined;
    // Evaluation reads every stream to the end: fewer streams where a short text (--limit) has
    // too few characters for as many (training keeps the batch it was asked for, or says why not).
    const streams = shuffle
      ? batchSize
      : Math.max(1, Math.min(batchSize, Math.floor((ids.length - seqLen) / (2 * seqLen + 1))));
    return characterBatches(streamBatches(ids, { batchSize: streams, seqLen, offset }), ids.length);
  };
}

/** Windows of `blockSize` characters, half overlapping, reshuffled every epoch (the GPT). */
export function characterWindows(blockSize: number): Batcher {
  return async (_model, split, { limit, batchSize, shuffle, seed }) => {
    const ids = await characters(split, limit);
    const corpus: CharCorpus = await shakespeare();
    const windows = shuffle
      ? corpus.windows(ids, blockSize, { batchSize, stride: blockSize / 2, seed, dropLast: true })
      : corpus.windows(ids, blockSize, { batchSize, shuffle: false });
    return characterBatches(windows, ids.length);
  };
}

/**
 * An epoch's batches of `groups` (lists of trees), in a seeded new order every epoch when
 * `shuffle`; each group made into a batch by `encode` as it is reached.
 */
function groupBatches(
  groups: Tree[][],
  encode: (group: Tree[]) => Batch,
  shuffle: boolean,
  seed: number,
): Iterable<Batch> & { length: number } {
  const order = permutations(seed);
  return {
    length: groups.length,
    *[Symbol.iterator]() {
      const idx = shuffle ? order(groups.length) : groups.map((_, i) => i);
      for (const g of idx) yield encode(groups[g]);
    },
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

/**
 * SST-2 sentences as {x: word ids [B, T] right-padded with the id after the last word, y: root
 * labels [B]}, batched by length (shuffled first, seeded, so an equal-length batch is not all one
 * label: the Treebank's files run by sentiment), the batch order reshuffled every epoch.
 */
export const sentenceBuckets: Batcher = async (_model, split, { limit, batchSize, shuffle, seed }) => {
  const [list, vocab] = await Promise.all([trees(split, true, limit), sstVocabulary.binary()]);
  const pad = vocab.size;
  const perm = permutations(seed)(list.length);
  const sorted = perm.map((i) => list[i]).sort((a, b) => treeWords(a).length - treeWords(b).length);
  const encode = (group: Tree[]): Batch => {
    const rows = group.map((t) => vocab.encode(t));
    const width = Math.max(...rows.map((r) => r.length));
    const x = new Int32Array(rows.length * width).fill(pad);
    for (const [i, r] of rows.entries()) x.set(r, i * width);
    return {
      x: tensor(x, { shape: [rows.length, width], dtype: 'int32' }),
      y: tensor(
        Int32Array.from(group, (t) => t.label),
        { dtype: 'int32' },
      ),
    };
  };
  return {
    source: groupBatches(chunks(sorted, batchSize), encode, shuffle, seed),
    count: list.length,
    unit: unitOf('sst-2'),
  };
};

/** SST trees in minibatches, encoded by the RNTN itself (node rows and a label per node). */
export const treeBatches: Batcher = async (model, split, { limit, batchSize, shuffle, seed }) => {
  const list = await trees(split, false, limit);
  const encode = (group: Tree[]) => (model as RNTN).encode(group);
  return {
    source: groupBatches(chunks(list, batchSize), encode, shuffle, seed),
    count: list.length,
    unit: unitOf('sst'),
  };
};

/** The first `limit` trees of SST's split (the RNTN's accuracies). */
export const sstTrees = (split: Split, options: Pick<BatchOptions, 'limit'>): Promise<Tree[]> =>
  trees(split, false, options.limit);

/** One token [1, 8] of id 0: what `info` runs a text model on. */
export const tokenInputs = (_model: Module): Tensor[] => [
  tensor(new Int32Array(8), { shape: [1, 8], dtype: 'int32' }),
];
