/**
 * A small GPT on tiny-shakespeare, nanoGPT's character-level setup: token and learned position
 * embeddings, 4 pre-LayerNorm blocks of causal multi-head self-attention and a GELU MLP, the
 * output layer tied to the token embedding. The split is nanoGPT's (the first 90% of the
 * characters train, the last 10% validate); the model trains on shuffled windows of `blockSize`
 * characters, predicting every next character at once. A sample is printed after every epoch; we
 * save the model, draw the loss curves and print a final sample.
 *
 *   pnpm example shakespeare-gpt [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { tinyShakespeare } from '@axon/datasets';
import { save } from '@axon/layers';
import { transformerLM } from '@axon/models';
import { AdamW, CosineAnnealingLR } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit, LearningRateScheduler } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 4 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: the first 90% of the 1,115,394 characters train, the last 10% validate (nanoGPT's
//    prepare.py). Training windows of blockSize characters, side by side, reshuffled every epoch.
//    (A smoke run uses a toy size throughout, so that it ends in seconds.)
const corpus = await tinyShakespeare();
const { train, val } = corpus.split(0.9);
const BLOCK = args.smoke ? 32 : 64;
const BATCH = args.smoke ? 8 : 32;
const trainData = corpus.windows(train, BLOCK, {
  batchSize: BATCH,
  stride: BLOCK,
  seed: args.seed,
  dropLast: true,
});
const valData = corpus.windows(val, BLOCK, { batchSize: 64, shuffle: false });
console.log(
  `tiny-shakespeare: ${train.length.toLocaleString('en-US')} train, ${val.length.toLocaleString('en-US')} val characters, vocabulary ${corpus.vocabSize}; ${trainData.length} batches of ${BATCH}×${BLOCK} per epoch`,
);

// 2. The model: a 128-wide residual stream, 4 heads of 32, 4 blocks, a 64-character context, no
//    dropout — nanoGPT's CPU "baby GPT" (a model this small, trained for half an hour, underfits
//    rather than overfits).
const model = transformerLM({
  vocabSize: corpus.vocabSize,
  blockSize: BLOCK,
  embedDim: args.smoke ? 32 : 128,
  numHeads: 4,
  numLayers: args.smoke ? 2 : 4,
  dropout: 0,
});
console.log(
  `GPT: ${model.numParameters().toLocaleString('en-US')} parameters (output layer tied to the embedding)`,
);

// 3. Train with AdamW (lr 2e-3, β₂ 0.99, cosine-annealed to 1e-4), weight decay 0.1 on the matrices
//    only (not on biases and LayerNorm gains, as nanoGPT), through the model's own next-token step.
const decay = model.parameters().filter((p) => p.rank >= 2);
const noDecay = model.parameters().filter((p) => p.rank < 2);
const optimizer = new AdamW(
  [
    { params: decay, weightDecay: 0.1 },
    { params: noDecay, weightDecay: 0 },
  ],
  { lr: 2e-3, betas: [0.9, 0.99] },
);
const prompt = corpus.encode('ROMEO:\n');
const sample = (length: number, seed: number) =>
  corpus.decode(
    model.generate(prompt, { length, temperature: 0.8, topK: 40, generator: new ax.Generator(seed) }),
  );
const trainBatches = args.smoke ? firstBatches(trainData, 3) : trainData;
const history = await fit(model, {
  optimizer,
  trainData: trainBatches,
  valData: args.smoke ? firstBatches(valData, 1) : valData,
  epochs: args.epochs,
  seed: args.seed,
  callbacks: [
    // Annealed every step, as nanoGPT's schedule, not in a few epoch-long stairs.
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

// 4. The validation loss over the whole 10% (nats per character), a longer sample, curves, the model.
const logs = await evaluate(model, args.smoke ? firstBatches(valData, 1) : valData, { seed: args.seed });
console.log(`validation loss ${logs.loss.toFixed(4)} nats/char (${(logs.loss / Math.LN2).toFixed(3)} bits)`);
console.log(
  `--- final sample (temperature 0.8, top-40, seed ${args.seed}) ---\nROMEO:\n${sample(args.smoke ? 60 : 600, args.seed)}`,
);
const curves = await plotHistory(history, {
  path: join(args.outDir, 'shakespeare-gpt-curves'),
  title: 'GPT on tiny-shakespeare (nats/char)',
});
await save(model, join(args.outDir, 'shakespeare-gpt.axon'));
console.log(`wrote ${curves.png} and ${join(args.outDir, 'shakespeare-gpt.axon')}`);

report(
  args,
  { valLoss: logs.loss, trainLoss: history.history.loss.at(-1) ?? Number.NaN },
  { key: 'valLoss', atMost: 1.7 },
);
