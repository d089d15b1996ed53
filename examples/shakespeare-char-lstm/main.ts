/**
 * A character-level LSTM language model on tiny-shakespeare (Karpathy's char-rnn): two stacked
 * LSTM layers read the text one character at a time and predict the next. It trains by truncated
 * backpropagation through time: the text is cut into 32 parallel streams, each batch is the next
 * 50 characters of every stream, and the LSTM state is carried from batch to batch (detached, so
 * gradients flow back 50 steps only). The split is nanoGPT's: the first 90% of the characters
 * train, the last 10% validate. A sample is printed after every epoch; we save the model, draw the
 * loss curves and print a final sample.
 *
 *   pnpm example shakespeare-char-lstm [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { tinyShakespeare } from '@axon/datasets';
import { save } from '@axon/layers';
import { charLM, streamBatches } from '@axon/models';
import { Adam, CosineAnnealingLR, clipGradNorm } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit, LearningRateScheduler } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 5 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: 1,115,394 characters, 65 distinct; the first 90% train, the last 10% validate. Each
//    epoch starts the training streams at a new random offset, so the 50-character cuts move.
//    Small batches of short cuts (near char-rnn's defaults, 50 × 50) buy updates: 627 an epoch
//    instead of the 156 of 64 × 100, for about 10% more time per character (measured: 7 epochs of
//    64 × 100 reach 1.62 nats in 30 minutes, 5 of 32 × 50 1.51 in 20).
const corpus = await tinyShakespeare();
const { train, val } = corpus.split(0.9);
// (A smoke run uses a toy size throughout, so that it ends in seconds.)
const BATCH = args.smoke ? 8 : 32;
const SEQ = args.smoke ? 32 : 50;
const offsets = new ax.Generator(args.seed + 1);
const offset = () =>
  Math.floor(ax.tidy(() => ax.uniform([1], 0, 1, { generator: offsets }).dataSync()[0]) * SEQ);
const trainData = streamBatches(train, { batchSize: BATCH, seqLen: SEQ, offset });
const valData = streamBatches(val, { batchSize: args.smoke ? 8 : 16, seqLen: SEQ });
console.log(
  `tiny-shakespeare: ${train.length.toLocaleString('en-US')} train, ${val.length.toLocaleString('en-US')} val characters, vocabulary ${corpus.vocabSize}; ${trainData.length} batches of ${BATCH}×${SEQ} per epoch`,
);

// 2. The model: 64-wide character embeddings, 2 LSTM layers of 256 units, dropout 0.1 between
//    layers and before the output layer (light: five epochs are too few to overfit much).
const model = charLM({
  vocabSize: corpus.vocabSize,
  embeddingDim: args.smoke ? 16 : 64,
  hiddenSize: args.smoke ? 32 : 256,
  numLayers: 2,
  cell: 'lstm',
  dropout: 0.1,
});
console.log(`char-LSTM: ${model.numParameters().toLocaleString('en-US')} parameters`);

// 3. Train: Adam (lr 2e-3, cosine-annealed to 1e-4 over the run, batch by batch) with the gradient
//    norm clipped at 5 before each update, as char-rnn does: an exploding gradient through 50
//    steps of LSTM would otherwise undo an epoch. The model's own step carries the state; fit validates after
//    every epoch with the model's evalStep (the validation state is carried too).
class ClippedAdam extends Adam {
  override step(): void {
    clipGradNorm(model.parameters(), 5);
    super.step();
  }
}
const optimizer = new ClippedAdam(model.parameters(), { lr: 2e-3 });
const prompt = corpus.encode('ROMEO:\n');
const sample = (length: number, seed: number) =>
  corpus.decode(model.generate(prompt, { length, temperature: 0.8, generator: new ax.Generator(seed) }));
const trainBatches = args.smoke ? firstBatches(trainData, 3) : trainData;
const history = await fit(model, {
  optimizer,
  trainData: trainBatches,
  valData: args.smoke ? firstBatches(valData, 2) : valData,
  epochs: args.epochs,
  seed: args.seed,
  callbacks: [
    new LearningRateScheduler(
      new CosineAnnealingLR(optimizer, {
        tMax: args.epochs * trainBatches.length,
        etaMin: 1e-4,
      }),
      { perBatch: true },
    ),
    {
      onEpochEnd: (epoch) =>
        void console.log(
          `--- sample after epoch ${epoch + 1} ---\nROMEO:\n${sample(args.smoke ? 40 : 200, epoch)}\n---`,
        ),
    },
  ],
});

// 4. The validation loss (nats per character) over the whole 10%, a longer sample, the curves and the model.
model.resetState();
const logs = await evaluate(model, args.smoke ? firstBatches(valData, 2) : valData, { seed: args.seed });
console.log(`validation loss ${logs.loss.toFixed(4)} nats/char (${(logs.loss / Math.LN2).toFixed(3)} bits)`);
console.log(
  `--- final sample (temperature 0.8, seed ${args.seed}) ---\nROMEO:\n${sample(args.smoke ? 60 : 600, args.seed)}`,
);
const curves = await plotHistory(history, {
  path: join(args.outDir, 'shakespeare-char-lstm-curves'),
  title: 'char-LSTM on tiny-shakespeare (nats/char)',
});
await save(model, join(args.outDir, 'shakespeare-char-lstm.axon'));
console.log(`wrote ${curves.png} and ${join(args.outDir, 'shakespeare-char-lstm.axon')}`);

report(
  args,
  { valLoss: logs.loss, trainLoss: history.history.loss.at(-1) ?? Number.NaN },
  { key: 'valLoss', atMost: 1.6 },
);
