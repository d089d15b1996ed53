/**
 * A denoising autoencoder (Vincent et al. 2008) on Fashion-MNIST: every training image loses half
 * its pixels (masking noise: each set to 0 with probability 0.5, drawn afresh each time) and the
 * network learns to give back the clean image. We then mask the test set once with a fixed seed and
 * compare the mean squared error of the noisy images and of their denoised versions against the
 * clean ones, and draw rows of noisy / denoised / clean clothes.
 *
 *   pnpm example fashion-mnist-dae [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import { noGrad } from '@axon/autograd';
import { DataLoader, FASHION_MNIST_CLASSES, fashionMnist } from '@axon/datasets';
import { save } from '@axon/layers';
import { denseAutoencoder, maskingNoise } from '@axon/models';
import { Adam, ExponentialLR } from '@axon/optim';
import { plotHistory, writeImageGrid } from '@axon/plot';
import * as ax from '@axon/tensor';
import { type Callback, fit, LearningRateScheduler } from '@axon/train';
import { firstBatches, mapBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 10 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: 60,000 training and 10,000 test images of clothes, x [N, 1, 28, 28] in [0, 1]. The
//    labels are not needed: the target is the clean image itself. The test images are masked once,
//    with a fixed seed, so every run is scored on the same noisy inputs.
const P = 0.5;
const TEST_NOISE_SEED = 2008;
const limit = args.smoke ? 512 : undefined;
const trainSet = await fashionMnist('train', { limit });
const testSet = await fashionMnist('test', { limit });
const loader = new DataLoader(trainSet, { batchSize: 128, shuffle: true, seed: args.seed });
const train = mapBatches(args.smoke ? firstBatches(loader, 4) : loader, ({ x }) => ({ x }));
const clean = testSet.x;
const noisy = maskingNoise(clean, P, new ax.Generator(TEST_NOISE_SEED));
console.log(`Fashion-MNIST: ${trainSet.length} train, ${testSet.length} test images; masking p = ${P}`);

// 2. The model: 784 → 512 → 256 → 128 (ReLU between) and back 128 → 256 → 512 → 784, one logit per
//    pixel; `noise: {type: 'mask', p: 0.5}` makes its training step corrupt each batch (from fit's
//    seeded step generator) and compare the reconstruction with the clean batch, by binary cross
//    entropy on the logits (pixels in [0, 1]; sharper than squared error).
const model = denseAutoencoder({
  inputSize: 784,
  hiddenSizes: [512, 256],
  latentSize: 128,
  loss: 'bce',
  noise: { type: 'mask', p: P },
});

/** The mean squared error of `images` against the clean test images. */
async function mseToClean(images: ax.Tensor): Promise<number> {
  const m = ax.tidy(() => ax.mean(ax.square(ax.sub(images, clean))));
  const v = (await m.data())[0];
  m.dispose();
  return v;
}

/** The denoised test set: reconstruct(noisy) in data space, in batches of 1000 (no gradients). */
function denoiseTest(): ax.Tensor {
  return ax.tidy(() =>
    noGrad(() => {
      const parts: ax.Tensor[] = [];
      for (let i = 0; i < noisy.shape[0]; i += 1000) {
        parts.push(model.reconstruct(ax.narrow(noisy, 0, i, Math.min(1000, noisy.shape[0] - i))));
      }
      return ax.concat(parts, 0);
    }),
  );
}

// 3. Train with Adam (lr 2e-3, × 0.8 per epoch). After each epoch a small callback denoises the
//    masked test set and prints its MSE (fit's own validation would score clean inputs).
const noisyMse = await mseToClean(noisy);
const denoisedByEpoch: number[] = [];
const denoisedMse: Callback = {
  async onEpochEnd(epoch) {
    const wasTraining = model.training;
    model.eval();
    const d = denoiseTest();
    denoisedByEpoch.push(await mseToClean(d));
    d.dispose();
    if (wasTraining) model.train();
    console.log(
      `  epoch ${epoch + 1}: test MSE denoised ${denoisedByEpoch.at(-1)?.toFixed(5)} (noisy ${noisyMse.toFixed(5)})`,
    );
  },
};
const optimizer = new Adam(model.parameters(), { lr: 2e-3 });
const history = await fit(model, {
  optimizer,
  trainData: train,
  epochs: args.epochs,
  seed: args.seed,
  callbacks: [new LearningRateScheduler(new ExponentialLR(optimizer, { gamma: 0.8 })), denoisedMse],
});

// 4. The score: the denoised images' MSE should be at most half the noisy inputs'.
model.eval();
const finalMse = denoisedByEpoch.at(-1) ?? Number.NaN;
const ratio = finalMse / noisyMse;
console.log(
  `test MSE: noisy ${noisyMse.toFixed(5)}, denoised ${finalMse.toFixed(5)} (ratio ${ratio.toFixed(3)}, target ≤ 0.5)`,
);

// 5. Pictures: the first 10 test images (one of each class: the split interleaves them) and the
//    next 10, each column noisy / denoised / clean.
const rows = ax.tidy(() =>
  noGrad(() => {
    const pick = (t: ax.Tensor, start: number) => ax.narrow(t, 0, start, 10);
    const block = (start: number) => [
      pick(noisy, start),
      model.reconstruct(pick(noisy, start)),
      pick(clean, start),
    ];
    return ax.concat([...block(0), ...block(10)], 0);
  }),
);
const grid = await writeImageGrid(join(args.outDir, 'denoising'), rows, {
  nrow: 10,
  scale: 2,
  labels: ['noisy', 'denoised', 'clean', 'noisy', 'denoised', 'clean'],
});
await save(model, join(args.outDir, 'fashion-mnist-dae.axon'));
const curves = await plotHistory(history, {
  path: join(args.outDir, 'fashion-mnist-dae-curves'),
  title: 'Denoising AE on Fashion-MNIST (BCE)',
});
console.log(`wrote ${grid.png} (columns: ${FASHION_MNIST_CLASSES.join(', ')}) and ${curves.png}`);

report(
  args,
  { noisyMse, denoisedMse: finalMse, ratio, trainLoss: history.history.loss.at(-1) ?? Number.NaN },
  { key: 'ratio', atMost: 0.5 },
);
