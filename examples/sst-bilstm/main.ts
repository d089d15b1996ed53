/**
 * A bidirectional LSTM sentence classifier on the Stanford Sentiment Treebank's binary view
 * (SST-2: positive or negative whole sentences, neutral ones removed), the sequence baseline the
 * RNTN example compares with. Only each tree's root label and its words are used: the words are
 * embedded (learned from scratch, no pretrained vectors), read both ways by an LSTM, max-pooled
 * over time and classified. Sentences are batched by length (bucketing) so little padding is read.
 *
 *   pnpm example sst-bilstm [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { sst, type Tree, TreeVocabulary, treeWords } from '@axon/datasets';
import { CrossEntropyLoss, save } from '@axon/layers';
import { sequenceClassifier } from '@axon/models';
import { Adam } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 6 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: SST-2 roots, 6,920 train / 872 dev / 1,821 test sentences. Words are lower-cased; the
//    vocabulary is the training set's (unknown words → id 0); padding gets the id after the last word.
const [trainAll, devAll, testAll] = await Promise.all(
  (['train', 'dev', 'test'] as const).map((split) => sst(split, { binary: true })),
);
const train = args.smoke ? trainAll.slice(0, 96) : trainAll;
const dev = args.smoke ? devAll.slice(0, 64) : devAll;
const test = args.smoke ? testAll.slice(0, 64) : testAll;
const vocab = TreeVocabulary.fromTrees(train, { lowercase: true });
const PAD = vocab.size;
console.log(
  `SST-2: ${train.length} train, ${dev.length} dev, ${test.length} test sentences; ${vocab.size} words`,
);

/**
 * Batches {x: word ids [B, T] right-padded, y: root labels [B]} of sentences of similar length:
 * shuffled, sorted by length, cut into batches, the batch order reshuffled every epoch when `shuffle`.
 */
function bucketed(trees: Tree[], batchSize: number, shuffle: boolean) {
  // SST's files run roughly by sentiment, and the sort is stable: shuffle first (seeded), so a batch
  // of equal-length sentences is not all of one label.
  const perm = ax.tidy(() =>
    ax.randperm(trees.length, { generator: new ax.Generator(args.seed) }).dataSync(),
  );
  const sorted = Array.from(perm, (i) => trees[i]).sort((a, b) => treeWords(a).length - treeWords(b).length);
  const groups: Tree[][] = [];
  for (let i = 0; i < sorted.length; i += batchSize) groups.push(sorted.slice(i, i + batchSize));
  const order = new ax.Generator(args.seed);
  return {
    length: groups.length,
    *[Symbol.iterator]() {
      const idx = shuffle
        ? Array.from(ax.tidy(() => ax.randperm(groups.length, { generator: order }).dataSync()))
        : groups.map((_, i) => i);
      for (const g of idx) {
        const rows = groups[g].map((t) => vocab.encode(t));
        const width = Math.max(...rows.map((r) => r.length));
        const x = new Int32Array(rows.length * width).fill(PAD);
        for (const [i, r] of rows.entries()) x.set(r, i * width);
        yield {
          x: ax.tensor(x, { shape: [rows.length, width], dtype: 'int32' }),
          y: ax.tensor(
            Int32Array.from(groups[g], (t) => t.label),
            { dtype: 'int32' },
          ),
        };
      }
    },
  };
}

// 2. The model: 100-wide word embeddings, a bidirectional LSTM of 100 units each way, max pooling
//    over time, dropout 0.5, two logits.
const model = sequenceClassifier({
  vocabSize: vocab.size + 1,
  embeddingDim: 100,
  hiddenSize: 100,
  numClasses: 2,
  cell: 'lstm',
  bidirectional: true,
  pooling: 'max',
  dropout: 0.5,
  padId: PAD,
});
console.log(`biLSTM: ${model.numParameters().toLocaleString('en-US')} parameters`);

// 3. Train with the supervised step (cross-entropy, Adam lr 2e-3, batches of 32), validating on dev.
const loss = new CrossEntropyLoss();
const trainData = bucketed(train, 32, true);
const devData = bucketed(dev, 128, false);
const history = await fit(model, {
  optimizer: new Adam(model.parameters(), { lr: 2e-3 }),
  loss,
  trainData: args.smoke ? firstBatches(trainData, 3) : trainData,
  valData: devData,
  epochs: args.epochs,
  metrics: ['accuracy'],
  seed: args.seed,
});

// 4. Dev and test accuracy of the final model, the curves and the saved model.
const devLogs = await evaluate(model, devData, { loss, metrics: ['accuracy'] });
const testLogs = await evaluate(model, bucketed(test, 128, false), { loss, metrics: ['accuracy'] });
console.log(
  `dev accuracy ${(100 * devLogs.accuracy).toFixed(2)}%, test accuracy ${(100 * testLogs.accuracy).toFixed(2)}% (binary, roots)`,
);
const curves = await plotHistory(history, {
  path: join(args.outDir, 'sst-bilstm-curves'),
  title: 'biLSTM on SST-2',
});
await save(model, join(args.outDir, 'sst-bilstm.axon'));
console.log(`wrote ${curves.png} and ${join(args.outDir, 'sst-bilstm.axon')}`);

report(args, {
  devAccuracy: devLogs.accuracy,
  testAccuracy: testLogs.accuracy,
  testLoss: testLogs.loss,
  vocabulary: vocab.size,
});
