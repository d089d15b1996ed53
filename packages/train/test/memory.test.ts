import { CrossEntropyLoss, Dropout, Linear, ReLU, Sequential } from '@axon/layers';
import { Adam, StepLR } from '@axon/optim';
import { manualSeed, memory } from '@axon/tensor';
import { expect, it } from 'vitest';
import { type Batch, type Callback, EarlyStopping, fit, LearningRateScheduler, NaNGuard } from '../src';
import { classification, disposeBatches } from './helpers';

const gc = (globalThis as { gc?: () => void }).gc;

async function run(data: Batch[], val: Batch[], epochs: number, probe: Callback) {
  manualSeed(1);
  const model = new Sequential(new Linear(2, 256), new ReLU(), new Dropout(0.1), new Linear(256, 3));
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const before = memory().numTensors;
  await fit(model, {
    optimizer,
    loss: new CrossEntropyLoss(),
    trainData: data,
    valData: val,
    epochs,
    metrics: ['accuracy', 'topk:2'],
    callbacks: [
      probe,
      new NaNGuard(),
      new LearningRateScheduler(new StepLR(optimizer, { stepSize: 10, gamma: 0.9 })),
      new EarlyStopping({ patience: 1000 }),
    ],
    progress: false,
  });
  // Adam's two buffers for each of the 4 parameters are all that fit leaves behind.
  expect(memory().numTensors).toBe(before + 8);
  optimizer.dispose();
  model.dispose();
}

it('a 500-step training loop keeps the live tensor count flat and RSS flat-ish', async () => {
  const base = memory().numTensors;
  const data = classification(10, 64, 21);
  const val = classification(2, 64, 22);
  // A first run warms the process up: V8 grows its heap reservation (heapTotal, ~30 MiB of RSS)
  // over the first several hundred steps of a fast-allocating loop and then stays level, so the
  // measured run shows only what training itself keeps.
  await run(data, val, 100, {});
  const counts: Record<number, number> = {};
  const rss: Record<number, number> = {};
  const heap: Record<number, number> = {};
  let step = 0;
  await run(data, val, 50, {
    onBatchEnd: () => {
      step++;
      if (step === 100 || step === 500) {
        counts[step] = memory().numTensors;
        gc?.();
        rss[step] = process.memoryUsage().rss;
        heap[step] = process.memoryUsage().heapUsed;
      }
    },
  });
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(
    `steps 100 → 500: tensors ${counts[100]} → ${counts[500]}, rss ${mib(rss[100])} → ${mib(rss[500])} MiB, heap ${mib(heap[100])} → ${mib(heap[500])} MiB`,
  );
  expect(step).toBe(500);
  expect(counts[500]).toBe(counts[100]);
  // RSS moves by a few tens of MiB with V8's heap sizing; a leak of a step's activations
  // ([64, 256] float32, 64 KiB each, several per step) would add hundreds of MiB over 400 steps.
  expect(rss[500] - rss[100]).toBeLessThan(64 * 2 ** 20);
  if (gc) expect(heap[500] - heap[100]).toBeLessThan(8 * 2 ** 20);
  disposeBatches(data);
  disposeBatches(val);
  expect(memory().numTensors).toBe(base);
}, 240_000); // 1500 training steps; slow only when the machine is loaded
