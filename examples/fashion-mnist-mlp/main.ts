/**
 * An MLP on Fashion-MNIST, the Keras "basic classification" program in Axon: Flatten → Dense 128
 * ReLU → Dense 10, Adam, sparse categorical cross-entropy (integer labels, logits), 10 epochs,
 * then the test accuracy and the training / validation loss curves.
 *
 *   pnpm example fashion-mnist-mlp [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { DataLoader, fashionMnist } from '@axon/datasets';
import { CrossEntropyLoss } from '@axon/layers';
import { mlp } from '@axon/models';
import { Adam } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 10 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: 28×28 grey images of clothes in 10 classes (T-shirt, trouser, pullover, ...), pixels
//    scaled to [0, 1]: x [N, 1, 28, 28], y [N] class indices. 60000 train, 10000 test.
const limit = args.smoke ? 256 : undefined;
const trainSet = await fashionMnist('train', { limit });
const testSet = await fashionMnist('test', { limit });
const train = new DataLoader(trainSet, { batchSize: 32, shuffle: true, seed: args.seed });
const test = new DataLoader(testSet, { batchSize: 256 });
console.log(`Fashion-MNIST: ${trainSet.length} train, ${testSet.length} test images`);

// 2. The model: flatten each image to 784 numbers, one hidden layer of 128 ReLU units, 10 logits.
const model = mlp({ inputSize: 28 * 28, hiddenSizes: [128], outputSize: 10, flatten: true });

// 3. Train (batches of 32, as Keras), validating on the test images after each epoch.
const loss = new CrossEntropyLoss();
const history = await fit(model, {
  optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
  loss,
  trainData: args.smoke ? firstBatches(train, 3) : train,
  valData: test,
  epochs: args.epochs,
  metrics: ['accuracy'],
  disposeBatches: true, // the loaders make fresh batch tensors: free each after its step
});

// 4. Test accuracy and the loss curves (training solid, validation dashed).
const logs = await evaluate(model, test, { loss, metrics: ['accuracy'], disposeBatches: true });
console.log(`test accuracy ${(logs.accuracy * 100).toFixed(2)}%  test loss ${logs.loss.toFixed(4)}`);
const plot = await plotHistory(history, {
  path: join(args.outDir, 'fashion-mnist-mlp-curves'),
  title: 'MLP on Fashion-MNIST',
});
console.log(`wrote ${plot.png} and ${plot.svg}`);

report(args, { testAccuracy: logs.accuracy, testLoss: logs.loss }, { key: 'testAccuracy', atLeast: 0.88 });
