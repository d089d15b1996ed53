/**
 * The main job (`pnpm start`): a multilayer perceptron learns to read handwritten digits. It
 * trains on the MNIST images that ship with the project for about 15 seconds on two CPU cores,
 * showing fit's progress bar, prints the test accuracy (about 97-98%), and saves the trained model
 * (out/mnist-mlp.axon, loadable with `load` from @axon/layers) and its training curves
 * (out/mnist-mlp-curves.png and .svg).
 *
 *   pnpm start [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { DataLoader, mnist, TensorDataset } from '@axon/datasets';
import { CrossEntropyLoss, save } from '@axon/layers';
import { mlp } from '@axon/models';
import { Adam } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 5 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: 60000 training and 10000 test digits, x [N, 1, 28, 28] in [0, 1], y [N] in 0..9.
//    The last 10% of the training images are held out to validate on after each epoch.
const limit = args.smoke ? 320 : undefined;
const full = await mnist('train', { limit });
const testSet = await mnist('test', { limit });
const nVal = Math.floor(full.length / 10);
const [xTrain, xVal] = ax.split(full.x, [full.length - nVal, nVal], 0);
const [yTrain, yVal] = ax.split(full.y, [full.length - nVal, nVal], 0);
const train = new DataLoader(new TensorDataset(xTrain, yTrain), {
  batchSize: 128,
  shuffle: true,
  seed: args.seed,
});
const val = new DataLoader(new TensorDataset(xVal, yVal), { batchSize: 1000 });
const test = new DataLoader(testSet, { batchSize: 1000 });
console.log(`MNIST: ${xTrain.shape[0]} train, ${nVal} validation, ${testSet.length} test images`);

// 2. The model: 784 pixels → 128 ReLU units → 10 logits (101,770 parameters).
const model = mlp({ inputSize: 28 * 28, hiddenSizes: [128], outputSize: 10, flatten: true });

// 3. Train with Adam (lr 3e-3) on batches of 128: a progress bar per epoch on a terminal, then one
//    summary line per epoch.
const loss = new CrossEntropyLoss();
const history = await fit(model, {
  optimizer: new Adam(model.parameters(), { lr: 3e-3 }),
  loss,
  trainData: args.smoke ? firstBatches(train, 2) : train,
  valData: val,
  epochs: args.epochs,
  metrics: ['accuracy'],
  disposeBatches: true, // the loaders make fresh batch tensors: free each after its step
});

// 4. Test, then keep the results: the model file and the training curves.
const logs = await evaluate(model, test, { loss, metrics: ['accuracy'], disposeBatches: true });
console.log(`test accuracy ${(logs.accuracy * 100).toFixed(2)}%  test loss ${logs.loss.toFixed(4)}`);
const modelPath = join(args.outDir, 'mnist-mlp.axon');
await save(model, modelPath);
const plot = await plotHistory(history, {
  path: join(args.outDir, 'mnist-mlp-curves'),
  title: 'MLP on MNIST',
});
console.log(`saved ${modelPath}; curves in ${plot.png} and ${plot.svg}`);

report(args, { testAccuracy: logs.accuracy, testLoss: logs.loss }, { key: 'testAccuracy', atLeast: 0.97 });
