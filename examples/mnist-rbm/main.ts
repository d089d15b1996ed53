/**
 * A restricted Boltzmann machine with 500 binary hidden units on binarised MNIST, trained by
 * persistent contrastive divergence (PCD, Tieleman 2008) through `fit` and the model's own step,
 * then scored the way Salakhutdinov & Murray (2008) score RBMs: log Z by annealed importance
 * sampling, and the test log-likelihood log p(v) = −F(v) − log Z. Pictures: the learned filters
 * (each hidden unit's weights as a 28×28 image), Gibbs chains started at test digits, the curves.
 *
 *   pnpm example mnist-rbm [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { noGrad } from '@axon/autograd';
import { DataLoader, mnist } from '@axon/datasets';
import { save } from '@axon/layers';
import { type RBM, rbm } from '@axon/models';
import { CosineAnnealingLR, SGD } from '@axon/optim';
import { plotHistory, writeImageGrid } from '@axon/plot';
import * as ax from '@axon/tensor';
import { type Callback, fit, LearningRateScheduler } from '@axon/train';
import { firstBatches, mapBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 25 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data, as in mnist-vae: training batches binarised afresh every epoch (pixel ~ Bernoulli(grey
//    value)), the test set once with a fixed seed so every run is scored on the same binary images.
const TEST_BINARISATION_SEED = 2014;
const limit = args.smoke ? 512 : undefined;
const trainSet = await mnist('train', { limit });
const testSet = await mnist('test', { limit });
const flat = (x: ax.Tensor) => ax.reshape(x, [x.shape[0], 784]);
const xTest = flat(
  ax.bernoulli(testSet.x, undefined, { generator: new ax.Generator(TEST_BINARISATION_SEED) }),
);
const binarise = new ax.Generator(args.seed + 1);
const loader = new DataLoader(trainSet, { batchSize: 100, shuffle: true, seed: args.seed });
const train = mapBatches(args.smoke ? firstBatches(loader, 4) : loader, ({ x }) => ({
  x: ax.bernoulli(x, undefined, { generator: binarise }),
}));
// The first 1000 test images score every epoch (reconstruction error, free energy, pseudo-likelihood).
const valImages = Math.min(1000, xTest.shape[0]);
const val = Array.from({ length: Math.floor(valImages / 100) }, (_, i) => ({
  x: ax.narrow(xTest, 0, i * 100, 100),
}));
console.log(
  `binarised MNIST: ${trainSet.length} train (fresh pixels each epoch), ${testSet.length} test images`,
);

// 2. The model: 784 binary visible units, 500 binary hidden ones, E(v, h) = −v·b − h·c − vᵀWh.
//    PCD-1: the negative phase carries 100 persistent Gibbs chains from one update to the next, so
//    they can wander far from the data (CD-1 restarts them at the batch and learns a poorer density).
//    W starts N(0, 0.01²), b at the log-odds of each pixel's mean (Hinton's practical guide).
const model = rbm({ visibleSize: 784, hiddenSize: 500, persistent: true, k: 1 });
model.setVisibleBiasFromData(trainSet.x);
const baseRate = model.visibleBias.clone(); // the AIS base model's biases: the data's pixel log-odds

// 3. Train: SGD, lr 0.04 annealed to 0 by a cosine over the run (PCD needs a shrinking step for
//    its chains to keep up with the model), momentum 0.5, weight decay 2e-4 on W only; batches of
//    100. (A first run with momentum 0.9 from epoch 6, an effective step of 0.3, blew up at once:
//    the persistent chains could no longer follow the model.) Every 5 epochs a quick AIS (1000 βs)
//    prints a rough test log-likelihood and the model is saved, so a cut-short run still has a
//    figure and a file.
const optimizer = new SGD(model.parameterGroups(2e-4), { lr: 0.04, momentum: 0.5 });
const checkpoint: Callback = {
  onEpochEnd: async (epoch) => {
    if ((epoch + 1) % 5 !== 0 || epoch + 1 === args.epochs) return;
    const quick = testLogLikelihood(model, { numBetas: 1000, runs: 100 });
    console.log(
      `  epoch ${epoch + 1}: quick AIS (1000 βs): log Z ≈ ${quick.logZ.toFixed(2)}, test log-likelihood ≈ ${quick.ll.toFixed(2)} nats`,
    );
    await save(model, join(args.outDir, 'mnist-rbm.axon'));
  },
};
const history = await fit(model, {
  optimizer,
  trainData: train,
  valData: args.smoke ? val.slice(0, 1) : val,
  epochs: args.epochs,
  seed: args.seed,
  disposeBatches: false, // the mapped source is read inside each step's tidy: its batches go with it
  callbacks: [new LearningRateScheduler(new CosineAnnealingLR(optimizer, { tMax: args.epochs })), checkpoint],
});
await save(model, join(args.outDir, 'mnist-rbm.axon'));

// 4. log Z by AIS: 100 runs through 14,500 intermediate distributions from the base-rate model
//    (Salakhutdinov & Murray's schedule), then the mean test log-likelihood −F(v) − log Z over
//    all 10,000 test images, and the same on 10,000 training images (the gap shows overfitting).
const numBetas = args.smoke ? 50 : 14500;
const started = performance.now();
const test = testLogLikelihood(model, { numBetas, runs: 100 });
const aisSeconds = (performance.now() - started) / 1000;
const trainLl = meanLogLikelihood(
  model,
  flat(
    ax.bernoulli(ax.narrow(trainSet.x, 0, 0, Math.min(10000, trainSet.length)), undefined, {
      generator: new ax.Generator(7),
    }),
  ),
  test.logZ,
);
console.log(
  `AIS (${numBetas} βs, 100 runs, ${aisSeconds.toFixed(0)} s): log Z = ${test.logZ.toFixed(2)} (±3σ: ${test.logZLow.toFixed(2)} … ${test.logZHigh.toFixed(2)})`,
);
console.log(
  `test log-likelihood ${test.ll.toFixed(2)} nats (train ${trainLl.toFixed(2)}); S&M 2008: CD-1 −125.53, CD-25 −86.34`,
);

// 5. Pictures: the filters of the first 100 hidden units (each column of W as an image, each scaled
//    to its own range), and 10 Gibbs chains started at test digits, a snapshot every 1000 steps
//    (the visible means E[v | h]) from left to right.
const filters = ax.tidy(() => ax.reshape(ax.transpose(ax.narrow(model.weight, 1, 0, 100)), [100, 1, 28, 28]));
const filtersGrid = await writeImageGrid(join(args.outDir, 'filters'), filters, {
  nrow: 10,
  scale: 2,
  normalize: 'each',
});
const chains = gibbsSnapshots(model, ax.narrow(xTest, 0, 0, 10), args.smoke ? 10 : 1000, 10);
const chainsGrid = await writeImageGrid(join(args.outDir, 'samples'), chains, { nrow: 11, scale: 2 });
const curves = await plotHistory(history, {
  path: join(args.outDir, 'mnist-rbm-curves'),
  title: 'RBM on binarised MNIST (PCD-1)',
});
console.log(`wrote ${filtersGrid.png}, ${chainsGrid.png}, ${curves.png}`);

report(
  args,
  {
    testLogLikelihood: test.ll,
    trainLogLikelihood: trainLl,
    logZ: test.logZ,
    logZLow: test.logZLow,
    logZHigh: test.logZHigh,
    aisBetas: numBetas,
    aisSeconds: Math.round(aisSeconds),
    valRecon: history.history.val_recon?.at(-1) ?? Number.NaN,
    valPseudoLl: history.history.val_pseudo_ll?.at(-1) ?? Number.NaN,
  },
  { key: 'testLogLikelihood', atLeast: -100 },
);

/** AIS log Z (base model: the data's base rates) and the mean test log-likelihood under it. */
function testLogLikelihood(m: RBM, ais: { numBetas: number; runs: number }) {
  const z = m.logPartition({
    ...ais,
    baseVisibleBias: baseRate,
    generator: new ax.Generator(args.seed + 100),
  });
  return { ...z, ll: meanLogLikelihood(m, xTest, z.logZ) };
}

/** mean over x's rows of −F(v) − log Z. */
function meanLogLikelihood(m: RBM, x: ax.Tensor, logZ: number): number {
  return ax.tidy(() => noGrad(() => ax.mean(m.logLikelihood(x, { logZ })).item()));
}

/** Each start image, then `count` snapshots `every` Gibbs steps apart: [rows·(count + 1), 1, 28, 28], a row per chain. */
function gibbsSnapshots(m: RBM, start: ax.Tensor, every: number, count: number): ax.Tensor {
  const gen = new ax.Generator(args.seed + 200);
  const frames: ax.Tensor[] = [start];
  let v = start;
  for (let i = 0; i < count; i++) {
    const { v: next, h } = m.gibbs(v, { steps: every, generator: gen });
    frames.push(noGrad(() => m.visibleMean(h)));
    v = next;
  }
  return ax.reshape(ax.stack(frames, 1), [start.shape[0] * (count + 1), 1, 28, 28]);
}
