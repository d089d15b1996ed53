import { CrossEntropyLoss, Dropout, Linear, ReLU, Sequential } from '@axon/layers';
import { Adam, StepLR } from '@axon/optim';
import { manualSeed, memory } from '@axon/tensor';
import { expect, it } from 'vitest';
import { type Batch, type Callback, EarlyStopping, fit, LearningRateScheduler, NaNGuard } from '../src';
import { classification, disposeBatches } from './helpers';
import { points, ToyGan } from './step_models';

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Lets the event loop run (one macrotask turn). fit over an in-memory array never waits on I/O,
 * so without this the whole loop is one synchronous stretch; on a loaded machine that starves
 * vitest's worker RPC (which times out after 60 s) even though the test itself is fine.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

// Warm-up epochs (10 batches each), then the measured run: memory is read at steps FIRST and LAST.
const WARMUP_EPOCHS = 50;
const FIRST = 100;
const LAST = 500;

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
      { onEpochEnd: yieldToEventLoop },
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
  await run(data, val, WARMUP_EPOCHS, {});
  const counts: Record<number, number> = {};
  const rss: Record<number, number> = {};
  const heap: Record<number, number> = {};
  let step = 0;
  await run(data, val, LAST / 10, {
    onBatchEnd: () => {
      step++;
      if (step === FIRST || step === LAST) {
        counts[step] = memory().numTensors;
        gc?.();
        rss[step] = process.memoryUsage().rss;
        heap[step] = process.memoryUsage().heapUsed;
      }
    },
  });
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(
    `steps ${FIRST} → ${LAST}: tensors ${counts[FIRST]} → ${counts[LAST]}, rss ${mib(rss[FIRST])} → ${mib(rss[LAST])} MiB, heap ${mib(heap[FIRST])} → ${mib(heap[LAST])} MiB`,
  );
  expect(step).toBe(LAST);
  expect(counts[LAST]).toBe(counts[FIRST]);
  // RSS moves by a few tens of MiB with V8's heap sizing; a leak of a step's activations
  // ([64, 256] float32, 64 KiB each, several per step) would add hundreds of MiB over 400 steps.
  expect(rss[LAST] - rss[FIRST]).toBeLessThan(64 * 2 ** 20);
  if (gc) expect(heap[LAST] - heap[FIRST]).toBeLessThan(8 * 2 ** 20);
  disposeBatches(data);
  disposeBatches(val);
  expect(memory().numTensors).toBe(base);
}, 240_000); // 1000 training steps: a few seconds idle; the timeout leaves room for a loaded machine

/**
 * The same for a model that owns its step: two optimizers, ctx.minimize twice a step, noise from
 * ctx.generator, logs summed on the device and read back every 7 batches, validation by evalStep.
 */
async function runGan(data: Batch[], val: Batch[], epochs: number, probe: Callback) {
  manualSeed(1);
  const model = new ToyGan();
  const gen = new Adam(model.gen.parameters(), { lr: 1e-3 });
  const disc = new Adam(model.disc.parameters(), { lr: 1e-3 });
  const before = memory().numTensors;
  await fit(model, {
    optimizers: { gen, disc },
    trainData: data,
    valData: val,
    epochs,
    logEvery: 7,
    callbacks: [
      { onEpochEnd: yieldToEventLoop },
      probe,
      new NaNGuard(),
      new LearningRateScheduler(new StepLR(gen, { stepSize: 10, gamma: 0.9 }), { perBatch: true }),
    ],
    progress: false,
  });
  // Adam's two buffers for each parameter (gen: 2, disc: 4) are all that fit leaves behind.
  expect(memory().numTensors).toBe(before + 12);
  gen.dispose();
  disc.dispose();
  model.dispose();
}

it('a 500-step custom-step loop (two optimizers, logs on the device) keeps the live tensor count flat', async () => {
  const base = memory().numTensors;
  const data = points(10, 64, 21);
  const val = points(2, 64, 22);
  await runGan(data, val, WARMUP_EPOCHS, {});
  const counts: Record<number, number> = {};
  const rss: Record<number, number> = {};
  let step = 0;
  // Third batches of epochs: the window then holds the device sums of two keys.
  const [a, b] = [FIRST + 3, LAST - 7];
  await runGan(data, val, LAST / 10, {
    onBatchEnd: () => {
      step++;
      if (step === a || step === b) {
        counts[step] = memory().numTensors;
        gc?.();
        rss[step] = process.memoryUsage().rss;
      }
    },
  });
  expect(step).toBe(LAST);
  expect(counts[b]).toBe(counts[a]);
  expect(rss[b] - rss[a]).toBeLessThan(64 * 2 ** 20);
  disposeBatches(data);
  disposeBatches(val);
  expect(memory().numTensors).toBe(base);
}, 240_000);
