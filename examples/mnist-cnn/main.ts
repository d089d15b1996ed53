/**
 * The Keras MNIST convnet in Axon: Conv 32 3×3 ReLU → MaxPool 2 → Conv 64 3×3 ReLU → MaxPool 2 →
 * Flatten → Dense 64 ReLU → Dense 10, trained with Adam for 5 epochs; then the test accuracy and
 * the accuracy curves; the trained model is saved to out/mnist-cnn.axon, where the mnist-dcgan and
 * mnist-cgan examples find it to score their samples. On two CPU cores an epoch takes a few minutes
 * (`--backend gpu` for the GPU).
 *
 *   pnpm example mnist-cnn [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { DataLoader, mnist } from '@axon/datasets';
import { CrossEntropyLoss, save } from '@axon/layers';
import { cnn } from '@axon/models';
import { Adam, ExponentialLR } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit, LearningRateScheduler } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 5 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: handwritten digits, x [N, 1, 28, 28] in [0, 1] (NCHW: one grey channel), y [N] digits.
const limit = args.smoke ? 256 : undefined;
const trainSet = await mnist('train', { limit });
const testSet = await mnist('test', { limit });
const train = new DataLoader(trainSet, { batchSize: 32, shuffle: true, seed: args.seed });
const test = new DataLoader(testSet, { batchSize: 500 });
console.log(`MNIST: ${trainSet.length} train, ${testSet.length} test images`);

// 2. The model: two convolution + pooling blocks find strokes and shapes (28 → 26 → 13 → 11 → 5),
//    a small dense classifier on the 64·5·5 = 1600 features gives 10 logits.
const model = cnn({ inChannels: 1, numClasses: 10 });

// 3. Train in batches of 32 (Keras's default), validating on the test images after each epoch
//    (for the curves). The learning rate starts at Adam's usual 1e-3 and shrinks by 0.6 after
//    each epoch, so the last epochs settle instead of bouncing around the minimum.
const loss = new CrossEntropyLoss();
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
const history = await fit(model, {
  optimizer,
  loss,
  trainData: args.smoke ? firstBatches(train, 3) : train,
  valData: args.smoke ? firstBatches(test, 1) : test,
  epochs: args.epochs,
  metrics: ['accuracy'],
  disposeBatches: true, // the loaders make fresh batch tensors: free each after its step
  callbacks: [new LearningRateScheduler(new ExponentialLR(optimizer, { gamma: 0.6 }))],
});

// 4. Test accuracy, and the accuracy curves (training solid, validation dashed) with the loss.
const logs = await evaluate(model, test, { loss, metrics: ['accuracy'], disposeBatches: true });
console.log(`test accuracy ${(logs.accuracy * 100).toFixed(2)}%  test loss ${logs.loss.toFixed(4)}`);
const plot = await plotHistory(history, {
  path: join(args.outDir, 'mnist-cnn-curves'),
  title: 'CNN on MNIST',
});
// The trained classifier, for the GAN examples' scores (a smoke run writes out/smoke/ instead).
const modelPath = join(args.outDir, 'mnist-cnn.axon');
await save(model, modelPath);
console.log(`wrote ${plot.png}, ${plot.svg} and ${modelPath}`);

report(args, { testAccuracy: logs.accuracy, testLoss: logs.loss }, { key: 'testAccuracy', atLeast: 0.99 });
