/**
 * A variational autoencoder (Kingma & Welling 2014) on dynamically binarised MNIST: every training
 * batch is drawn afresh as black/white pixels (pixel ~ Bernoulli(grey value)); the test set is
 * binarised once with a fixed seed. The model trains with `fit` through its own step (the negative
 * ELBO), then we report the test negative ELBO and the importance-weighted (IWAE, k = 1000)
 * estimate of the test negative log-likelihood, and draw three pictures: 64 samples, test digits
 * above their reconstructions, and the 20×20 manifold of a small second VAE with a 2-D code.
 *
 *   pnpm example mnist-vae [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { noGrad } from '@axon/autograd';
import { DataLoader, mnist, TensorDataset } from '@axon/datasets';
import { save } from '@axon/layers';
import { type VAE, vae } from '@axon/models';
import { Adam, ExponentialLR } from '@axon/optim';
import { plotHistory, writeImageGrid } from '@axon/plot';
import * as ax from '@axon/tensor';
import { evaluate, fit, LearningRateScheduler } from '@axon/train';
import { firstBatches, mapBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 40 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data. MNIST grey values in [0, 1] become black/white pixels: each training batch is binarised
//    afresh (a new draw every epoch, "dynamic binarisation", which keeps the model from
//    memorising one fixed set of pixels); the test set once, with a fixed seed, so every run
//    (whatever --seed) is scored on the same 10,000 binary images.
const TEST_BINARISATION_SEED = 2014;
const limit = args.smoke ? 512 : undefined;
const trainSet = await mnist('train', { limit });
const testSet = await mnist('test', { limit });
const xTest = ax.bernoulli(testSet.x, undefined, { generator: new ax.Generator(TEST_BINARISATION_SEED) });
const binarise = new ax.Generator(args.seed + 1);
const loader = new DataLoader(trainSet, { batchSize: 100, shuffle: true, seed: args.seed });
const train = mapBatches(args.smoke ? firstBatches(loader, 4) : loader, ({ x }) => ({
  x: ax.bernoulli(x, undefined, { generator: binarise }),
}));
const test = new DataLoader(new TensorDataset(xTest, testSet.y), { batchSize: 1000 });
console.log(
  `binarised MNIST: ${trainSet.length} train (fresh pixels each epoch), ${testSet.length} test images`,
);

// 2. The model: an MLP encoder 784 → 512 → 256 (ReLU) gives the mean and log-variance of
//    q(z | x), a 32-D Gaussian; the decoder 32 → 256 → 512 → 784 gives one Bernoulli logit per
//    pixel, p(x | z). Training minimises −ELBO = E_q[−log p(x | z)] + KL(q(z | x) ‖ N(0, I)) with
//    z = mu + σ·ε (the reparameterisation trick; ε from fit's seeded step generator).
const model = vae({ inputSize: 784, hiddenSizes: [512, 256], latentSize: 32 });

// 3. Train with Adam (lr 1e-3, × 0.97 per epoch) on batches of 100, validating the test ELBO after every epoch.
//    History keys: loss (= recon + kl), recon, kl and their val_ twins, in nats per image.
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
const history = await fit(model, {
  optimizer,
  trainData: train,
  valData: args.smoke ? firstBatches(test, 1) : test,
  epochs: args.epochs,
  seed: args.seed,
  disposeBatches: false, // the mapped source is read inside each step's tidy: its batches go with it
  callbacks: [new LearningRateScheduler(new ExponentialLR(optimizer, { gamma: 0.97 }))],
});

// 4. The test negative ELBO (one ε per image, the analytic KL), then the IWAE bound with k = 1000
//    importance samples per image (Burda et al. 2016): log (1/k) Σ p(x | zᵢ) p(zᵢ) / q(zᵢ | x) ≤
//    log p(x), so −L_1000 is an upper bound on the test NLL, much tighter than −ELBO. 1000 codes
//    per image make 1000 decoder passes, about 0.1 s an image on two busy CPU cores, so we score the
//    first 1000 test images (10 images, 10,000 codes, at a time) and give their −ELBO beside it.
const logs = await evaluate(model, args.smoke ? firstBatches(test, 1) : test, { seed: args.seed });
console.log(
  `test −ELBO ${logs.loss.toFixed(2)} nats (reconstruction ${logs.recon.toFixed(2)} + KL ${logs.kl.toFixed(2)})`,
);
const k = args.smoke ? 10 : 1000;
const iwaeImages = Math.min(args.smoke ? 64 : 1000, xTest.shape[0]);
const chunk = 10;
const iwaeGen = new ax.Generator(args.seed);
const started = performance.now();
model.eval();
let total = 0;
for (let i = 0; i < iwaeImages; i += chunk) {
  const n = Math.min(chunk, iwaeImages - i);
  const sum = ax.tidy(() =>
    noGrad(() => ax.sum(model.logLikelihood(ax.narrow(xTest, 0, i, n), { k, generator: iwaeGen }))),
  );
  total += (await sum.data())[0];
  sum.dispose();
}
const iwaeNll = -total / iwaeImages;
const iwaeSeconds = (performance.now() - started) / 1000;
const subset = await evaluate(model, firstBatches(test, 1), { seed: args.seed }); // the first 1000
console.log(
  `test NLL ≤ ${iwaeNll.toFixed(2)} nats (IWAE, k = ${k}, first ${iwaeImages} images, ${iwaeSeconds.toFixed(0)} s; their −ELBO ${subset.loss.toFixed(2)})`,
);

// 5. Pictures. Samples: decode 64 draws z ~ N(0, I) (the Bernoulli means σ(logits)). Reconstructions:
//    rows of 8 test digits, each above its reconstruction decode(mu(x)).
const gen = new ax.Generator(args.seed);
const samples = ax.tidy(() =>
  noGrad(() => ax.reshape(model.sample(64, { generator: gen }), [64, 1, 28, 28])),
);
const samplesGrid = await writeImageGrid(join(args.outDir, 'samples'), samples, { nrow: 8, scale: 2 });
const pairs = ax.tidy(() =>
  noGrad(() => {
    const x = ax.narrow(xTest, 0, 0, 32).reshape([4, 8, 1, 28, 28]);
    const r = model.reconstruct(ax.narrow(xTest, 0, 0, 32)).reshape([4, 8, 1, 28, 28]);
    return ax.stack([x, r], 1).reshape([64, 1, 28, 28]); // original row, reconstruction row, ...
  }),
);
const reconGrid = await writeImageGrid(join(args.outDir, 'reconstructions'), pairs, {
  nrow: 8,
  scale: 2,
  labels: ['test', 'recon', 'test', 'recon', 'test', 'recon', 'test', 'recon'],
});
await save(model, join(args.outDir, 'mnist-vae.axon'));
const curves = await plotHistory(history, {
  path: join(args.outDir, 'mnist-vae-curves'),
  title: 'VAE on binarised MNIST (nats)',
});
console.log(`wrote ${samplesGrid.png}, ${reconGrid.png}, ${curves.png}`);

// 6. The manifold: a second, small VAE with a 2-D code (784 → 256 → 2), trained the same way for
//    an eighth of the epochs. Its decoder maps a 20×20 lattice of codes to digits; the lattice points
//    are the normal quantiles Φ⁻¹(0.05 … 0.95), so each cell covers equal prior probability.
const small = vae({ inputSize: 784, hiddenSizes: [256], latentSize: 2 });
const smallEpochs = Math.max(1, Math.round(args.epochs / 8));
await fit(small, {
  optimizer: new Adam(small.parameters(), { lr: 1e-3 }),
  trainData: train,
  epochs: smallEpochs,
  seed: args.seed,
});
const small2d = await evaluate(small, args.smoke ? firstBatches(test, 1) : test, { seed: args.seed });
console.log(`2-D VAE: test −ELBO ${small2d.loss.toFixed(2)} nats after ${smallEpochs} epochs`);
const manifoldPath = await writeManifold(small, 20);
console.log(`wrote ${manifoldPath}`);

report(
  args,
  {
    testNegElbo: logs.loss,
    testRecon: logs.recon,
    testKl: logs.kl,
    testNllIwae: iwaeNll,
    iwaeK: k,
    iwaeImages,
    iwaeImagesNegElbo: subset.loss,
    manifoldNegElbo: small2d.loss,
  },
  { key: 'testNegElbo', atMost: 100 },
);

/** Decodes the n×n lattice of codes z = (Φ⁻¹(u), Φ⁻¹(v)), u, v evenly from 0.05 to 0.95; writes the grid. */
async function writeManifold(m: VAE, n: number): Promise<string> {
  const q = Array.from({ length: n }, (_, i) => normalQuantile(0.05 + (0.9 * i) / (n - 1)));
  const codes: number[][] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) codes.push([q[c], q[n - 1 - r]]); // z₂ grows upwards
  const images = ax.tidy(() => noGrad(() => ax.reshape(m.decode(ax.tensor(codes)), [n * n, 1, 28, 28])));
  const out = await writeImageGrid(join(args.outDir, 'manifold'), images, { nrow: n, padding: 1 });
  return out.png;
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (t: number) =>
    (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
    ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const s = p - 0.5;
  const r = s * s;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
