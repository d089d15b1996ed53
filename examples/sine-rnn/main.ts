/**
 * A SimpleRNN that predicts a sine wave: from 10 consecutive samples of sin(t) it predicts the
 * next one. The Keras program, in Axon: SimpleRNN(10) → Dense(1), mean squared error, Adam,
 * 100 epochs of batches of 16; then a plot of the predictions on held-out time against the truth.
 *
 *   pnpm example sine-rnn [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { DataLoader, sineWindows, TensorDataset } from '@axon/datasets';
import { MSELoss } from '@axon/layers';
import { rnnRegressor } from '@axon/models';
import { Adam } from '@axon/optim';
import { plotHistory } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 100 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: sin(t) sampled every 0.1 over 1000 steps, cut into sliding windows:
//    x [N, 10, 1] (ten samples, one feature each) and y [N, 1] (the sample that follows).
//    The first 80% of the time line trains, the last 20% tests (no shuffling across the cut).
const all = sineWindows({ length: 1000, window: 10, step: 0.1 });
const nTrain = Math.floor(all.length * 0.8);
const [xTrain, xTest] = ax.split(all.x, [nTrain, all.length - nTrain], 0);
const [yTrain, yTest] = ax.split(all.y, [nTrain, all.length - nTrain], 0);
const train = new DataLoader(new TensorDataset(xTrain, yTrain), {
  batchSize: 16,
  shuffle: true,
  seed: args.seed,
});
const test = new DataLoader(new TensorDataset(xTest, yTest), { batchSize: 64 });
console.log(`sine windows: ${nTrain} to train, ${all.length - nTrain} to test, window ${xTrain.shape[1]}`);

// 2. The model: a tanh RNN with 10 hidden units reads the window (batch first); a Linear head
//    maps its last hidden state to the prediction.
const model = rnnRegressor({ cell: 'rnn', inputSize: 1, hiddenSize: 10, outputSize: 1 });

// 3. Train with mean squared error and Adam (lr 1e-3, Keras's default).
const history = await fit(model, {
  optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
  loss: new MSELoss(),
  trainData: args.smoke ? firstBatches(train, 3) : train,
  valData: args.smoke ? firstBatches(test, 1) : test,
  epochs: args.epochs,
  disposeBatches: true, // the loaders make fresh batch tensors: free each after its step
});

// 4. Test: the mean squared error on the held-out end of the wave, and a plot of prediction vs truth.
const { loss: mse } = await evaluate(model, test, { loss: new MSELoss(), disposeBatches: true });
console.log(`test MSE ${mse.toExponential(3)}`);
const predicted = ax.tidy(() => Array.from(model.eval().forward(xTest).dataSync()));
const truth = Array.from(yTest.dataSync());
const plot = await plotHistory(
  { history: { truth, prediction: predicted } },
  {
    path: join(args.outDir, 'sine-rnn-prediction'),
    title: 'SimpleRNN on sin(t): test prediction vs truth',
    xLabel: 'test window',
    yLabel: 'next sample',
  },
);
const curves = await plotHistory(history, {
  path: join(args.outDir, 'sine-rnn-loss'),
  title: 'SimpleRNN loss',
});
console.log(`wrote ${plot.png}, ${plot.svg}, ${curves.png}`);

report(args, { mse }, { key: 'mse', atMost: 1e-3 });
