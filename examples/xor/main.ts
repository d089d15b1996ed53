/**
 * XOR: the smallest complete Axon training program. Four points, a network with one hidden layer
 * of 8 tanh units, binary cross-entropy on the logit, Adam, and `fit` to run the loop.
 *
 *   pnpm example xor [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { xor } from '@axon/datasets';
import { BCEWithLogitsLoss, Linear, Sequential, Tanh } from '@axon/layers';
import { Adam } from '@axon/optim';
import * as ax from '@axon/tensor';
import { evaluate, fit } from '@axon/train';
import { parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 300 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: the four corners of the unit square; the label is 1 where exactly one input is 1.
//    The whole data set is one batch {x: [4, 2], y: [4, 1]}, used again every epoch.
const data = xor();
const batches = [{ x: data.x, y: data.y }];

// 2. The model: 2 inputs → 8 tanh units → 1 logit (no sigmoid: the loss applies it, stably).
const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));

// 3. Train: one step per epoch on the full batch. 'binaryAccuracy:0' counts logit > 0 as class 1.
await fit(model, {
  optimizer: new Adam(model.parameters(), { lr: 0.05 }),
  loss: new BCEWithLogitsLoss(),
  trainData: batches,
  epochs: args.epochs,
  metrics: ['binaryAccuracy:0'],
  progress: false,
  callbacks: [
    {
      onEpochEnd(epoch, logs) {
        if ((epoch + 1) % 50 === 0 || epoch + 1 === args.epochs) {
          console.log(`epoch ${epoch + 1}  loss ${logs.loss.toFixed(4)}  acc ${logs.binary_accuracy}`);
        }
      },
    },
  ],
});

// 4. Look at what it learned: the probability of class 1 for each corner.
const probs = ax.tidy(() => model.eval().forward(batches[0].x).sigmoid().dataSync());
const inputs = batches[0].x.dataSync();
for (let i = 0; i < data.length; i++) {
  console.log(`xor(${inputs[2 * i]}, ${inputs[2 * i + 1]}) = ${probs[i].toFixed(3)}`);
}
const logs = await evaluate(model, batches, { loss: new BCEWithLogitsLoss(), metrics: ['binaryAccuracy:0'] });
console.log(`accuracy ${(logs.binary_accuracy * 100).toFixed(0)}%`);

report(args, { accuracy: logs.binary_accuracy, loss: logs.loss }, { key: 'accuracy', atLeast: 1 });
