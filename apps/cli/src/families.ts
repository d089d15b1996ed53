/**
 * The model table: every zoo model `axon train` knows, by the name it takes, with its default
 * data set, its training defaults, how it trains and (for the generative ones) how it samples.
 * Adding a family to the CLI is one entry here: a builder from @axon/models, a data set from
 * data_sets.ts (or a corpus from corpora.ts, with the family's batcher), a training kind from
 * training.ts and, if it draws images or writes text, a sampler from samplers.ts or
 * text_samplers.ts. The commands read nothing else about a model.
 */
import type { Module } from '@axon/layers';
import {
  charLM,
  cnn,
  convAutoencoder,
  dbn,
  denseAutoencoder,
  type GAN,
  gan,
  lenet5,
  mlp,
  type RBM,
  type RNTN,
  type RnnCell,
  rbm,
  rnnRegressor,
  rntn,
  sentimentAccuracy,
  seq2seq,
  sequenceClassifier,
  transformerLM,
  vae,
} from '@axon/models';
import { type Tensor, tensor, zeros } from '@axon/tensor';
import { evaluate, type History, type Logs } from '@axon/train';
import { type Batcher, type BatchOptions, type SplitBatches, tensorBatches } from './batches';
import {
  type CorpusName,
  characterStreams,
  characterWindows,
  isCorpusName,
  sentenceBuckets,
  shakespeare,
  sstTrees,
  sstVocabulary,
  tokenInputs,
  treeBatches,
} from './corpora';
import { DATA_SETS, type DataSetName, isDataSetName, type Split } from './data_sets';
import {
  BOS,
  dateBatches,
  dateInputs,
  dateSplit,
  EOS,
  exactMatch,
  PAD,
  SOURCE_VOCAB,
  TARGET_VOCAB,
  translation,
} from './date_pairs';
import { UsageError } from './errors';
import { layerReconstructions, pretrain, type TrainRun } from './pretraining';
import { dbnSamples, ganSamples, rbmChains, reconstructions, type Sampler, vaeSamples } from './samplers';
import { continuation, type TextSampler } from './text_samplers';
import {
  adversarial,
  classifier,
  clippedAdam,
  contrastive,
  decoupledDecay,
  ownStep,
  regressor,
  type Training,
  treeAdagrad,
} from './training';

/** A data set by the name `--data` takes: a tensor data set or a text / tree corpus. */
export type DataName = DataSetName | CorpusName;

export const isDataName = (name: unknown): name is DataName => isDataSetName(name) || isCorpusName(name);

export interface ModelFamily {
  /** One line for `axon train --help`. */
  summary: string;
  /** The data set it trains and evaluates on by default (a corpus only with `batches`). */
  data: DataName;
  /** Training defaults (each overridden by its option). */
  epochs: number;
  batchSize: number;
  lr: number;
  /** The model, freshly initialised from the default generator (seeded by `--seed`). */
  build(): Module | Promise<Module>;
  training: Training;
  /** Its own batching of its corpus (text, trees); default: a DataLoader over the tensor data set. */
  batches?: Batcher;
  /** Batch size of validation and `eval` (default EVAL_BATCH_SIZE, eval.ts). */
  evalBatchSize?: number;
  /** Sets what the model starts from the training data (an RBM's visible biases), before training. */
  prepare?: (model: Module, train: SplitBatches) => void;
  /** Trains other than by one `fit` of the model (a DBN's layer-wise pretraining). */
  train?: (run: TrainRun) => Promise<History>;
  /** Scores other than by `evaluate` of the model (an RNTN's accuracies, a DBN's layers). */
  evaluate?: (
    model: Module,
    test: SplitBatches,
    options: Pick<BatchOptions, 'limit' | 'seed'>,
  ) => Promise<Logs>;
  /** Text for `axon sample` (the language models), from `prompt` unless `--prompt` says otherwise. */
  generate?: TextSampler;
  /** The text a translation model (seq2seq) writes for `--prompt`, printed alone, decoded greedily. */
  translate?: (model: Module, prompt: string) => string;
  /** The default `--prompt` of `generate` or `translate`. */
  prompt?: string;
  /**
   * The model class a file saved by another program (an example) is read as, when the file does
   * not say which family wrote it. The first family listing a class wins.
   */
  readsClass?: string;
  /** x as the family takes it, from the data set's x (a GAN's tanh range). */
  inputs?: (x: Tensor) => Tensor;
  /** Images for `axon sample`; absent when the family cannot draw any. */
  sample?: Sampler;
  /** The inputs `info` traces for output shapes (default: one zero example of the data set). */
  summaryInputs?: (model: Module) => Tensor[];
  /** What `axon export --onnx` exports (default: the model itself; a GAN: its generator). */
  onnxModule?: (model: Module) => Module;
}

const MNIST_CLASSES = { inChannels: 1, numClasses: 10 } as const;
/** Half DCGAN's widths and a 64-D code (the examples' GANs): an epoch fits a few CPU minutes. */
const SMALL_DCGAN = { latentSize: 64, generatorFeatures: 32, discriminatorFeatures: 32 } as const;
/** Radford et al.'s Adam settings for both DCGAN networks. */
const DCGAN_ADAM = { lr: 2e-4, betas: [0.5, 0.999] as [number, number] };
const toTanhRange = (x: Tensor) => x.mul(2).sub(1);
/** MNIST's 784 pixels, 500 binary hidden units: the examples' RBM and the DBN's first layer. */
const MNIST_RBM = { visibleSize: 784, hiddenSize: 500 } as const;
/** A DBN's, or an RBM's, visible biases start at the log-odds of each pixel's mean (Hinton's advice). */
const pixelLogOdds = (rbmOf: (model: Module) => RBM) => (model: Module, train: SplitBatches) => {
  if (train.x) rbmOf(model).setVisibleBiasFromData(train.x);
};
/** A parse tree of one leaf: what `info` runs an RNTN on. */
const leafInputs = () => [tensor(new Int32Array([0, -1, -1]), { shape: [1, 3], dtype: 'int32' })];
/** One noise vector, and a class label for a conditional GAN. */
const ganInputs = (model: Module) => {
  const { latentSize, cond } = model as GAN;
  return [zeros([1, latentSize]), ...(cond ? [zeros([1], 'int32')] : [])];
};

function recurrent(cell: RnnCell, name: string): ModelFamily {
  return {
    summary: `${name} (32 units) + Linear head predicting the next sample of a sine wave`,
    data: 'sine',
    epochs: 20,
    batchSize: 16,
    lr: 3e-3,
    build: () => rnnRegressor({ cell, inputSize: 1, hiddenSize: 32, outputSize: 1 }),
    training: regressor,
    readsClass: cell === 'rnn' ? 'RNNRegressor' : undefined,
  };
}

/** A GAN on MNIST, with Adam's `lr` and `betas` for both networks. */
function dcgan(
  summary: string,
  options: Parameters<typeof gan>[0],
  { lr, betas }: { lr: number; betas: [number, number] },
): ModelFamily {
  return {
    summary,
    data: 'mnist',
    epochs: 5,
    batchSize: 128,
    lr,
    build: () => gan({ ...SMALL_DCGAN, ...options }),
    training: adversarial(betas),
    readsClass: 'GAN',
    inputs: toTanhRange,
    sample: ganSamples,
    summaryInputs: ganInputs,
    // The GAN's forward is its generator's (the averaged one, with emaDecay): the part that serves
    // (the critic only trains).
    onnxModule: (model) => (model as GAN).generatorEma ?? (model as GAN).generator,
  };
}

export const MODEL_FAMILIES = {
  mlp: {
    summary: 'MLP 784-128-10 (ReLU) classifying digits',
    data: 'mnist',
    epochs: 5,
    batchSize: 128,
    lr: 3e-3,
    build: () => mlp({ inputSize: 784, hiddenSizes: [128], outputSize: 10, flatten: true }),
    training: classifier,
    readsClass: 'Sequential',
  },
  cnn: {
    summary: 'the Keras MNIST CNN (two conv/pool stages, 121,930 parameters)',
    data: 'mnist',
    epochs: 3,
    batchSize: 32,
    lr: 1e-3,
    build: () => cnn(MNIST_CLASSES),
    training: classifier,
  },
  lenet5: {
    summary: 'LeNet-5 (ReLU, max pooling, 61,706 parameters)',
    data: 'mnist',
    epochs: 3,
    batchSize: 64,
    lr: 1e-3,
    build: () => lenet5(MNIST_CLASSES),
    training: classifier,
  },
  rnn: recurrent('rnn', 'tanh RNN'),
  lstm: recurrent('lstm', 'LSTM'),
  gru: recurrent('gru', 'GRU'),
  autoencoder: {
    summary: 'dense autoencoder 784-256-32-256-784 (BCE on logits)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 128,
    lr: 1e-3,
    build: () => denseAutoencoder({ inputSize: 784, hiddenSizes: [256], latentSize: 32, loss: 'bce' }),
    training: ownStep,
    readsClass: 'DenseAutoencoder',
    sample: reconstructions,
  },
  'tied-autoencoder': {
    summary: 'the dense autoencoder with tied weights (the decoder reuses the encoder weights)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 128,
    lr: 1e-3,
    build: () =>
      denseAutoencoder({ inputSize: 784, hiddenSizes: [256], latentSize: 32, loss: 'bce', tied: true }),
    training: ownStep,
    sample: reconstructions,
  },
  'conv-autoencoder': {
    summary: 'convolutional autoencoder (16, 32 channels, stride 2)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 64,
    lr: 1e-3,
    build: () => convAutoencoder({ loss: 'bce' }),
    training: ownStep,
    readsClass: 'ConvAutoencoder',
    sample: reconstructions,
  },
  dae: {
    summary: 'denoising autoencoder 784-512-256-128 (half the pixels masked each step)',
    data: 'fashion-mnist',
    epochs: 5,
    batchSize: 128,
    lr: 2e-3,
    build: () =>
      denseAutoencoder({
        inputSize: 784,
        hiddenSizes: [512, 256],
        latentSize: 128,
        loss: 'bce',
        noise: { type: 'mask', p: 0.5 },
      }),
    training: ownStep,
    sample: reconstructions,
  },
  vae: {
    summary: 'VAE 784-512-256-z32, Bernoulli decoder (negative ELBO in nats)',
    data: 'binarized-mnist',
    epochs: 10,
    batchSize: 100,
    lr: 1e-3,
    build: () => vae({ inputSize: 784, hiddenSizes: [512, 256], latentSize: 32 }),
    training: ownStep,
    readsClass: 'VAE',
    sample: vaeSamples,
  },
  'conv-vae': {
    summary: 'VAE with a convolutional encoder and decoder (32, 64 channels), z16',
    data: 'binarized-mnist',
    epochs: 5,
    batchSize: 100,
    lr: 1e-3,
    build: () => vae({ encoder: 'conv', latentSize: 16 }),
    training: ownStep,
    sample: vaeSamples,
  },
  gan: dcgan('DCGAN (non-saturating loss), z64', {}, DCGAN_ADAM),
  cgan: dcgan('conditional DCGAN (label embeddings), one digit per column', { numClasses: 10 }, DCGAN_ADAM),
  'wgan-gp': dcgan(
    'DCGAN with a Wasserstein critic and gradient penalty (5 critic steps per batch)',
    { loss: 'wgan-gp' },
    { lr: 1e-4, betas: [0.5, 0.9] }, // Gulrajani et al.'s settings
  ),
  rbm: {
    summary: 'RBM 784-500 (binary units) trained by persistent contrastive divergence (PCD-1)',
    data: 'binarized-mnist',
    epochs: 10,
    batchSize: 100,
    lr: 0.04,
    build: () => rbm({ ...MNIST_RBM, persistent: true, k: 1 }),
    training: contrastive,
    readsClass: 'RBM',
    prepare: pixelLogOdds((model) => model as RBM),
    sample: rbmChains,
  },
  dbn: {
    summary: 'DBN 784-500-500-2000: three RBMs pretrained greedily by CD-1 (epochs per layer)',
    data: 'mnist',
    epochs: 3,
    batchSize: 100,
    lr: 0.05,
    build: () => dbn({ sizes: [784, 500, 500, 2000] }),
    training: ownStep, // unused: `train` gives each RBM its own SGD
    readsClass: 'DBN',
    prepare: pixelLogOdds((model) => (model as ReturnType<typeof dbn>).rbm(0)),
    train: pretrain,
    evaluate: (model, test, { seed }) => layerReconstructions(model, test, seed),
    sample: dbnSamples,
  },
  rntn: {
    summary: 'RNTN (d 25) classifying the sentiment of every node of a parse tree, 5 classes',
    data: 'sst',
    epochs: 5,
    batchSize: 27,
    lr: 0.02,
    async build() {
      const vocab = await sstVocabulary.fine();
      return rntn({
        vocabulary: vocab.words,
        lowercase: true,
        composition: 'tensor',
        dim: 25,
        wordDecay: 1e-4,
      });
    },
    training: treeAdagrad,
    readsClass: 'RNTN',
    batches: treeBatches,
    evalBatchSize: 256,
    // The loss per tree, and the paper's four accuracies (fine-grained and binary, all nodes and roots).
    async evaluate(model, test, { limit, seed }) {
      const { counts: _, ...accuracy } = sentimentAccuracy(model as RNTN, await sstTrees('test', { limit }));
      return { ...(await evaluate(model, test.source, { seed })), ...accuracy };
    },
    summaryInputs: leafInputs,
  },
  'char-lstm': {
    summary: 'character LSTM language model (embedding 64, 2 x 256 LSTM, truncated BPTT over 50 characters)',
    data: 'tiny-shakespeare',
    epochs: 3,
    batchSize: 32,
    lr: 2e-3,
    async build() {
      const { vocabSize } = await shakespeare();
      return charLM({
        vocabSize,
        embeddingDim: 64,
        hiddenSize: 256,
        numLayers: 2,
        cell: 'lstm',
        dropout: 0.1,
      });
    },
    training: clippedAdam(5),
    readsClass: 'CharLM',
    batches: characterStreams(50),
    evalBatchSize: 16,
    generate: continuation,
    prompt: 'ROMEO:\n',
    summaryInputs: tokenInputs,
  },
  gpt: {
    summary: 'GPT language model (4 pre-LN blocks, 4 heads, width 128, 128-character context)',
    data: 'tiny-shakespeare',
    epochs: 2,
    batchSize: 32,
    lr: 1e-3,
    async build() {
      const { vocabSize } = await shakespeare();
      return transformerLM({
        vocabSize,
        blockSize: 128,
        embedDim: 128,
        numHeads: 4,
        numLayers: 4,
        dropout: 0,
      });
    },
    training: decoupledDecay,
    readsClass: 'TransformerLM',
    batches: characterWindows(128),
    evalBatchSize: 64,
    generate: continuation,
    prompt: 'ROMEO:\n',
    summaryInputs: tokenInputs,
  },
  'sst-bilstm': {
    summary: 'bidirectional LSTM (100 units each way, max pooling) classifying SST-2 sentences',
    data: 'sst-2',
    epochs: 4,
    batchSize: 32,
    lr: 2e-3,
    async build() {
      const vocab = await sstVocabulary.binary();
      return sequenceClassifier({
        vocabSize: vocab.size + 1, // and the padding id
        embeddingDim: 100,
        hiddenSize: 100,
        numClasses: 2,
        cell: 'lstm',
        bidirectional: true,
        pooling: 'max',
        dropout: 0.5,
        padId: vocab.size,
      });
    },
    training: classifier,
    readsClass: 'SequenceClassifier',
    batches: sentenceBuckets,
    evalBatchSize: 128,
    summaryInputs: tokenInputs,
  },
  'seq2seq-dates': {
    summary:
      'seq2seq with attention (biGRU encoder 2 x 32, GRU decoder 32) translating written dates to ISO 8601',
    data: 'dates',
    epochs: 3,
    batchSize: 64,
    lr: 3e-3,
    // The example's model at half its widths (embeddings 32, GRUs 64): an epoch fits a CPU minute.
    build: () =>
      seq2seq({
        srcVocabSize: SOURCE_VOCAB,
        tgtVocabSize: TARGET_VOCAB,
        embeddingDim: 16,
        hiddenSize: 32,
        cell: 'gru',
        bidirectional: true,
        attention: 'additive',
        padId: PAD,
        bosId: BOS,
        eosId: EOS,
      }),
    training: ownStep, // teacher forcing: cross-entropy of each next character
    readsClass: 'Seq2Seq',
    batches: dateBatches,
    evalBatchSize: 250,
    // The loss per character, and the exact-match accuracy of greedy decoding, as the example scores.
    async evaluate(model, test, { limit, seed }) {
      const logs = await evaluate(model, test.source, { seed });
      return { ...logs, accuracy: exactMatch(model, dateSplit('test', seed, limit)) };
    },
    translate: translation,
    prompt: '3rd of March 1997',
    summaryInputs: dateInputs,
  },
} satisfies Record<string, ModelFamily>;

export type FamilyName = keyof typeof MODEL_FAMILIES;

export const FAMILY_NAMES = Object.keys(MODEL_FAMILIES) as FamilyName[];

export function isFamilyName(name: unknown): name is FamilyName {
  return typeof name === 'string' && Object.hasOwn(MODEL_FAMILIES, name);
}

export function family(name: FamilyName): ModelFamily {
  return MODEL_FAMILIES[name];
}

/** The families that can draw images, write text or translate (`axon sample`). */
export function samplingFamilies(): FamilyName[] {
  return FAMILY_NAMES.filter(
    (name) => family(name).sample || family(name).generate || family(name).translate,
  );
}

/**
 * A split of `data` in batches as family `name` reads it: its own batching of its corpus, or a
 * DataLoader over a tensor data set. A data set the family cannot read is a usage error.
 */
export function splitBatches(
  name: FamilyName,
  model: Module,
  data: DataName,
  split: Split,
  options: BatchOptions,
): Promise<SplitBatches> {
  const f = family(name);
  if (f.batches) {
    if (data !== f.data) throw new UsageError(`--data: ${name} models read ${f.data}, not ${data}`);
    return f.batches(model, split, options);
  }
  if (!isDataSetName(data)) {
    const names = Object.keys(DATA_SETS).join(', ');
    throw new UsageError(`--data: ${name} models read one of ${names}, not ${data}`);
  }
  return tensorBatches(data, split, options, f.inputs);
}

/** The family a model of class `className` is read as when its file does not name one. */
export function familyOfClass(className: string): FamilyName | undefined {
  return FAMILY_NAMES.find((name) => (MODEL_FAMILIES[name] as ModelFamily).readsClass === className);
}

/** The inputs `info` traces for output shapes. */
export function summaryInputs(name: FamilyName, model: Module): Tensor[] {
  const f = family(name);
  if (f.summaryInputs) return f.summaryInputs(model);
  if (!isDataSetName(f.data)) throw new TypeError(`${name}: a family reading ${f.data} needs summaryInputs`);
  return [zeros([1, ...DATA_SETS[f.data].exampleShape])];
}
