/**
 * A DCGAN (Radford et al. 2016) learns to draw handwritten digits: a generator turns noise into
 * 28×28 images, a discriminator tells them from real MNIST digits, and each learns against the
 * other. It trains with `fit` through the GAN's own step (one discriminator update, then one
 * generator update per batch, each with its own Adam), writes a grid of 64 samples after every
 * epoch (the same 64 noise vectors, so the grids show the generator learning), and scores 10,000
 * samples with the mnist-cnn example's trained classifier (see score.ts).
 *
 * With `--loss wgan-gp` the same networks train as a WGAN-GP (Gulrajani et al. 2017): a critic
 * (layer norm instead of batch norm) updated 5 times per batch with a gradient penalty, and Adam
 * with the paper's lr 1e-4, β = (0.5, 0.9); `--n-critic 1` updates the critic once per batch
 * instead, with DCGAN's Adam (lr 2e-4, β = (0.5, 0.999)), in about 0.4 of the time a batch.
 * `--adam ttur` gives any objective two time-scales instead (Heusel et al. 2017, with SAGAN's
 * settings, Zhang et al. 2019): the discriminator's lr 4e-4, the generator's 1e-4, β = (0, 0.9).
 * `--lr-drop 9` divides both learning rates by 4 after epoch 9 (for the last epochs of a run).
 * `--lambda 10-then-1` weakens WGAN-GP's gradient penalty from λ = 10 to 1 after epoch 12.
 * With `--loss r1`, the non-saturating GAN with a layer-norm discriminator and the R1 penalty on
 * real digits (Mescheder et al. 2018), weighted by `--gamma` (γ, 1 by default; `--gamma 1-then-0.1`:
 * 1 for seven epochs, then 0.1, the schedule of the run that meets the targets); `--r1-every 16`
 * computes that penalty on every 16th step only, 16 times as heavy (lazy R1, Karras et al. 2020),
 * for ~0.8 of the time a step. `--width full` builds DCGAN's usual widths, `--depth 2` (3) adds one
 * (two) 3×3 convolutions at every feature-map size of both networks, and `--latent codes` a
 * 10-valued InfoGAN code beside the noise (Chen et al. 2016). `--rejection a` also scores samples
 * drawn by discriminator rejection sampling, keeping the share a of the candidates.
 *
 * A checkpoint (the GAN, both optimizers, the generators) is written after every epoch; `--resume`
 * continues a stopped run from it, drawing what the uninterrupted run would have drawn.
 *
 *   pnpm example mnist-dcgan [--loss nonSaturating|wgan-gp|r1] [--n-critic 5|1] [--adam auto|ttur] [--lr-drop none|9] [--width half|full] [--depth 1|2|3] [--latent noise|codes] [--gamma 1|0.1|0.01|10|1-then-0.1] [--lambda 10|10-then-1] [--r1-every 1|16|4] [--rejection none|0.75|0.5] [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke] [--resume]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '@axon/autograd';
import { DataLoader, mnist } from '@axon/datasets';
import { type Module, save } from '@axon/layers';
import { gan, rejectionSample } from '@axon/models';
import { Adam } from '@axon/optim';
import { plotHistory, writeImageGrid } from '@axon/plot';
import * as ax from '@axon/tensor';
import { type Callback, Checkpoint, fit, resume } from '@axon/train';
import { firstBatches, mapBatches, parseArgs, report } from '../common';
import { classProbabilities, classShares, inceptionScore, loadClassifier, predictedClasses } from './score';

const args = parseArgs(import.meta.url, {
  epochs: 12,
  choices: {
    loss: ['nonSaturating', 'wgan-gp', 'r1'],
    'n-critic': ['5', '1'],
    adam: ['auto', 'ttur'],
    'lr-drop': ['none', '9'],
    width: ['half', 'full'],
    depth: ['1', '2', '3'],
    latent: ['noise', 'codes'],
    gamma: ['1', '0.1', '0.01', '10', '1-then-0.1'],
    lambda: ['10', '10-then-1'],
    'r1-every': ['1', '16', '4'],
    rejection: ['none', '0.75', '0.5'],
  },
  resumable: true,
});
const loss = args.choices.loss;
const wgan = loss === 'wgan-gp';
const nCritic = Number(args.choices['n-critic']); // WGAN-GP's critic updates per batch
const ttur = args.choices.adam === 'ttur';
// With --lr-drop e, both learning rates are divided by 4 from epoch e + 1 on.
const lrDrop = args.choices['lr-drop'] === 'none' ? null : Number(args.choices['lr-drop']);
const full = args.choices.width === 'full';
const depth = Number(args.choices.depth);
const codes = args.choices.latent === 'codes' ? 10 : null;
// R1's weight, with --loss r1: one γ, or 1-then-0.1 (γ = 1 for epochs 1–7, then 0.1: at depth 3, γ = 1
// flattens the discriminator by epochs 8–9; see the README).
const gammaScheduled = args.choices.gamma === '1-then-0.1';
const gammaAt = (epoch: number) => (gammaScheduled ? (epoch < 7 ? 1 : 0.1) : Number(args.choices.gamma));
// WGAN-GP's λ, with --loss wgan-gp: 10 (the paper's), or 10-then-1 (10 for epochs 1–12, then 1: a
// weaker penalty for the last epochs, as --gamma 1-then-0.1 does for R1).
const lambdaScheduled = args.choices.lambda === '10-then-1';
const lambdaAt = (epoch: number) => (lambdaScheduled && epoch >= 12 ? 1 : 10);
const r1Every = Number(args.choices['r1-every']); // lazy R1: the penalty on every k-th step, k·γ
// With --rejection a, the scores also count samples drawn by discriminator rejection sampling,
// keeping a share a of the candidates (see @axon/models' rejectionSample).
const accept = args.choices.rejection === 'none' ? null : Number(args.choices.rejection);
if (accept !== null && wgan)
  throw new Error(`${args.name}: --rejection needs a discriminator, not WGAN-GP's critic`);
if (nCritic !== 5 && !wgan)
  throw new Error(
    `${args.name}: --n-critic ${nCritic} counts WGAN-GP's critic updates: it needs --loss wgan-gp, got --loss ${loss}`,
  );
if (args.choices.gamma !== '1' && loss !== 'r1')
  throw new Error(
    `${args.name}: --gamma ${args.choices.gamma} weighs the R1 penalty: it needs --loss r1, got --loss ${loss}`,
  );
if (lambdaScheduled && !wgan)
  throw new Error(
    `${args.name}: --lambda ${args.choices.lambda} weighs WGAN-GP's gradient penalty: it needs --loss wgan-gp, got --loss ${loss}`,
  );
if (r1Every !== 1 && loss !== 'r1')
  throw new Error(
    `${args.name}: --r1-every ${r1Every} spaces out the R1 penalty: it needs --loss r1, got --loss ${loss}`,
  );
// Outputs of the objectives, widths and latents side by side: '', 'r1-', 'wgan-gp-', 'r1-full-', 'r1-codes-', …
const prefix = [
  loss === 'nonSaturating' ? '' : `${loss}-`,
  nCritic !== 5 ? `critic${nCritic}-` : '',
  ttur ? 'ttur-' : '',
  lrDrop ? `lrdrop${lrDrop}-` : '',
  full ? 'full-' : '',
  depth > 1 ? `depth${depth}-` : '',
  codes ? 'codes-' : '',
  args.choices.gamma !== '1' ? `gamma${args.choices.gamma}-` : '',
  lambdaScheduled ? `lambda${args.choices.lambda}-` : '',
  r1Every !== 1 ? `every${r1Every}-` : '',
].join('');
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data: the 60,000 training digits, scaled from [0, 1] to [−1, 1] (the generator ends in tanh).
//    The labels are dropped: this GAN draws digits without being told which.
const batchSize = 32;
const trainSet = await mnist('train', { limit: args.smoke ? batchSize : undefined });
const loader = new DataLoader(trainSet, { batchSize, shuffle: true, seed: args.seed });
const train = mapBatches(args.smoke ? firstBatches(loader, 1) : loader, ({ x }) => ({ x: x.mul(2).sub(1) }));
console.log(`MNIST: ${trainSet.length} training images, ${loader.length} batches of ${batchSize} per epoch`);

// 2. The model. Generator: z (64 values) → Linear → 64·7·7 → BatchNorm → ReLU → ConvTranspose 4×4
//    stride 2 → 32·14·14 → BatchNorm → ReLU → ConvTranspose → 1·28·28 → tanh. Discriminator, the
//    mirror: Conv 4×4 stride 2 → 32·14·14 → LeakyReLU(0.2) → Conv → 64·7·7 → BatchNorm → LeakyReLU
//    → Linear → one logit (real or fake). Half DCGAN's usual widths, so an epoch fits a few CPU minutes
//    (--width full: DCGAN's, 128·7·7 and 64·14·14 in the generator, 64 and 128 channels in the
//    discriminator; four times the multiply-adds).
//    Weights start as DCGAN's N(0, 0.02) (`init: 'dcgan'`), and the GAN keeps a moving average of the
//    generator's weights (`emaDecay`, about the last 1,000 steps), which draws the samples, with its
//    batch norm's statistics measured anew after every epoch (`updateAverageStatistics`).
//    With --loss r1 the discriminator's batch norm becomes layer norm and its loss gains the R1
//    penalty, γ/2 · E[‖∇ₓ D(x)‖²] on the real digits (Mescheder et al. 2018; γ = 1, or --gamma's
//    first epoch's).
const model = gan({
  latentSize: 64,
  generatorFeatures: full ? 64 : 32,
  discriminatorFeatures: full ? 64 : 32,
  init: 'dcgan',
  emaDecay: 0.999,
  depth,
  ...(codes ? { latentCodes: codes } : {}),
  ...(loss === 'r1'
    ? { loss: 'nonSaturating', r1Weight: gammaAt(0), r1Every, discriminatorNorm: 'layer' }
    : { loss, ...(wgan ? { nCritic } : {}) }),
});

// 3. Train: Adam with DCGAN's settings (lr 2e-4, β₁ = 0.5) for each network, named `gen` and
//    `disc` as the GAN's step asks for them. Losses: the discriminator's binary cross-entropy
//    (real → 1, fake → 0) and the generator's non-saturating −log D(G(z)) (with --loss wgan-gp: the
//    critic's E[D(fake)] − E[D(real)] + 10·gradient penalty, 5 critic updates per batch, and the
//    generator's −E[D(fake)]; its Adam and --adam ttur's below). After each epoch a
//    callback draws 64 samples from a fixed set of noise vectors (batch norm in eval mode, with its
//    running statistics), to out/epoch-<n>.png.
// With --latent codes, ten rows of eight: row k drawn with code k.
const gridSize = codes ? 8 * codes : 64;
const fixedNoise = ax.keep(
  ax.randn([gridSize, model.latentSize], { generator: new ax.Generator(args.seed) }),
);
const fixedCodes = codes
  ? ax.keep(
      ax.tensor(
        Array.from({ length: gridSize }, (_, i) => Math.floor(i / 8)),
        { dtype: 'int32' },
      ),
    )
  : undefined;
let classifier: Module | null = null; // mnist-cnn's, once it exists (see score.ts)
// A probe of the discriminator after every epoch: its logits on 256 training digits and on 256
// fakes of the generator being trained. When the two means meet and their spread shrinks, it has
// gone flat and no longer teaches the generator (R1 with γ = 1 at depth 3 did so by epoch 8).
// (Under WGAN-GP, a critic's scores: only their gap and spreads mean anything.)
const probeReal = ax.keep(
  ax.tidy(() =>
    ax
      .stack(Array.from({ length: Math.min(256, trainSet.length) }, (_, i) => trainSet.get(i).x))
      .mul(2)
      .sub(1),
  ),
);
function discriminatorProbe(): string {
  const stats = (logits: ax.Tensor) => ({
    mean: ax.mean(logits).item(),
    sd: ax.std(logits, undefined, { correction: 0 }).item(),
  });
  const [real, fake] = ax.tidy(() =>
    noGrad(() => {
      const n = probeReal.shape[0];
      const fakes = model.sample(n, undefined, {
        generator: new ax.Generator(args.seed + 2),
        averaged: false,
      });
      return [stats(model.discriminator.forward(probeReal)), stats(model.discriminator.forward(fakes))];
    }),
  );
  const f = (x: number) => x.toFixed(3);
  return `${wgan ? 'critic scores' : 'discriminator logits'}: real ${f(real.mean)} ± ${f(real.sd)}, fakes ${f(fake.mean)} ± ${f(fake.sd)} (gap ${f(real.mean - fake.mean)})`;
}
const samplesPerEpoch: Callback = {
  async onEpochEnd(epoch) {
    model.eval();
    // The averaged generator's batch norm measured for its own weights (50 batches of 256 samples;
    // every step copies the trained generator's statistics over them), so the grid, the scores and
    // the checkpoint's (and after the last epoch the saved model's) average draw with them.
    model.updateAverageStatistics({
      generator: new ax.Generator(args.seed + 3),
      ...(args.smoke ? { batches: 2, batchSize: 32 } : {}),
    });
    const images = ax.tidy(() => noGrad(() => ax.div(ax.add(model.forward(fixedNoise, fixedCodes), 1), 2)));
    await writeImageGrid(join(args.outDir, `${prefix}epoch-${epoch + 1}`), images, { nrow: 8, scale: 2 });
    images.dispose();
    console.log(`  epoch ${epoch + 1}: ${discriminatorProbe()}`);
    // With the classifier at hand, the score of this epoch's averaged generator (the same as step
    // 4's), and of the generator being trained, for comparison.
    classifier ??= await loadClassifier(args.name, true);
    if (classifier) {
      const averaged = await score(classifier, new ax.Generator(args.seed + 1));
      const trained = await score(classifier, new ax.Generator(args.seed + 1), false);
      console.log(`  epoch ${epoch + 1}: averaged generator: ${describe(averaged)}`);
      console.log(`  epoch ${epoch + 1}: trained generator:  ${describe(trained)}`);
      if (accept !== null) {
        const kept = await score(classifier, new ax.Generator(args.seed + 1), true, accept);
        console.log(`  epoch ${epoch + 1}: averaged, rejection: ${describe(kept)}`);
      }
    }
    model.train();
  },
};
// With --gamma 1-then-0.1, γ changes as an epoch begins (also after --resume).
const gammaSchedule = epochSchedule(
  "R1's γ",
  gammaAt,
  () => model.r1Weight,
  (v) => {
    model.r1Weight = v;
  },
);
// With --lambda 10-then-1, λ changes as an epoch begins (also after --resume).
const lambdaSchedule = epochSchedule(
  "WGAN-GP's λ",
  lambdaAt,
  () => model.gpWeight,
  (v) => {
    model.gpWeight = v;
  },
);
/** A callback that sets `at(epoch)` as each epoch begins, printing the change when there is one. */
function epochSchedule(
  what: string,
  at: (epoch: number) => number,
  get: () => number | null,
  set: (value: number) => void,
): Callback {
  return {
    onEpochBegin(epoch) {
      if (get() === at(epoch)) return;
      console.log(`  epoch ${epoch + 1}: ${what} ${get()} → ${at(epoch)}`);
      set(at(epoch));
    },
  };
}
// Adam for each network: DCGAN's lr 2e-4, β = (0.5, 0.999); WGAN-GP's 1e-4, β = (0.5, 0.9) (with 5
// critic updates); --adam ttur: the discriminator 4e-4, the generator 1e-4, β = (0, 0.9).
type AdamSettings = { lr: number; betas: [number, number] };
const dcganAdam: AdamSettings = { lr: 2e-4, betas: [0.5, 0.999] };
const wganAdam: AdamSettings = { lr: 1e-4, betas: [0.5, 0.9] };
const [genAdam, discAdam]: AdamSettings[] = ttur
  ? [
      { lr: 1e-4, betas: [0, 0.9] },
      { lr: 4e-4, betas: [0, 0.9] },
    ]
  : wgan && nCritic === 5
    ? [wganAdam, wganAdam]
    : [dcganAdam, dcganAdam];
const optimizers = {
  gen: new Adam(model.generator.parameters(), genAdam),
  disc: new Adam(model.discriminator.parameters(), discAdam),
};
// With --lr-drop e, as each epoch begins (also after --resume): the settings' rates, or a quarter.
const lrSchedule: Callback = {
  onEpochBegin(epoch) {
    const factor = lrDrop !== null && epoch >= lrDrop ? 0.25 : 1;
    const [gen, disc] = [optimizers.gen.paramGroups[0], optimizers.disc.paramGroups[0]];
    if (gen.lr === genAdam.lr * factor && disc.lr === discAdam.lr * factor) return;
    gen.lr = genAdam.lr * factor;
    disc.lr = discAdam.lr * factor;
    console.log(`  epoch ${epoch + 1}: learning rates ${gen.lr} (generator), ${disc.lr} (discriminator)`);
  },
};

// A full run takes hours on a CPU: after every epoch a checkpoint, which --resume continues from
// (the weights, the averaged generator, both Adams, the random generators and the step count; the
// loader's shuffles of the epochs done are drawn again, so the next epoch sees the same order).
const checkpoint = join(args.outDir, `${prefix}checkpoint.axon`);
let initialEpoch = 0;
if (args.resume) {
  if (!existsSync(checkpoint)) throw new Error(`${args.name}: --resume: no checkpoint at ${checkpoint}`);
  initialEpoch = await resume(checkpoint, model, optimizers);
  if (initialEpoch >= args.epochs)
    throw new Error(
      `${args.name}: --resume: ${checkpoint} has trained ${initialEpoch} epochs already; ask for more with --epochs (got ${args.epochs})`,
    );
  for (let e = 0; e < initialEpoch; e++) loader.order();
  console.log(`resumed from ${checkpoint}: epoch ${initialEpoch + 1} of ${args.epochs} next`);
}
const history = await fit(model, {
  optimizers,
  trainData: train,
  epochs: args.epochs,
  initialEpoch,
  seed: args.seed,
  callbacks: [
    ...(gammaScheduled ? [gammaSchedule] : []),
    ...(lambdaScheduled ? [lambdaSchedule] : []),
    ...(lrDrop !== null ? [lrSchedule] : []),
    samplesPerEpoch,
    new Checkpoint({ path: checkpoint }),
  ],
});
model.eval();
await save(model, join(args.outDir, `${prefix}mnist-dcgan.axon`));
const curves = await plotHistory(history, {
  path: join(args.outDir, `${prefix}mnist-dcgan-curves`),
  title: wgan ? 'WGAN-GP on MNIST' : loss === 'r1' ? 'DCGAN with R1 on MNIST' : 'DCGAN on MNIST',
});
console.log(`wrote ${args.outDir}/${prefix}epoch-1..${args.epochs}.png and ${curves.png}`);

// 4. The score: 10,000 samples through the classifier. The MNIST "inception score" should be at
//    least 9 (of 10), and each digit between 7% and 13% of the samples (no mode collapse).
const metrics: Record<string, number | string | boolean> = {
  loss,
  width: args.choices.width,
  depth,
  latent: args.choices.latent,
  ...(loss === 'r1' ? { gamma: model.r1Weight, r1Every } : {}),
  ...(gammaScheduled ? { gammaSchedule: args.choices.gamma } : {}),
  ...(wgan ? { nCritic, gpWeight: model.gpWeight ?? Number.NaN } : {}),
  ...(lambdaScheduled ? { lambdaSchedule: args.choices.lambda } : {}),
  adam: args.choices.adam,
  ...(lrDrop !== null ? { lrDrop } : {}),
  dLoss: history.history.d_loss.at(-1) ?? Number.NaN,
  gLoss: history.history.g_loss.at(-1) ?? Number.NaN,
};
classifier ??= await loadClassifier(args.name);
if (classifier) {
  const result = await score(classifier, new ax.Generator(args.seed + 1));
  Object.assign(metrics, result);
  console.log(`${describe(result)} (targets: score ≥ 9.0, each digit 7-13%)`);
  if (!result.digitsBalanced && !args.smoke)
    console.warn(`${args.name}: some digit is outside 7-13% of the samples`);
  if (accept !== null) {
    const kept = await score(classifier, new ax.Generator(args.seed + 1), true, accept);
    Object.assign(metrics, {
      rejectionAccept: accept,
      rejectionInceptionScore: kept.inceptionScore,
      rejectionMinDigitShare: kept.minDigitShare,
      rejectionMaxDigitShare: kept.maxDigitShare,
      rejectionDigitsBalanced: kept.digitsBalanced,
    });
    console.log(`with rejection sampling: ${describe(kept)}`);
  }
}
report(args, metrics, classifier ? { key: 'inceptionScore', atLeast: 9 } : undefined);

/**
 * Scores `count` samples (in eval mode) with the classifier: the averaged generator's, or with
 * `averaged` false the trained generator's; with `accept`, drawn by discriminator rejection
 * sampling keeping that share of the candidates.
 */
async function score(classifier: Module, noise: ax.Generator, averaged = true, accept: number | null = null) {
  const count = args.smoke ? 200 : 10_000;
  const kept =
    accept === null ? null : await rejectionSample(model, count, { accept, generator: noise, averaged });
  const probs = await classProbabilities(classifier, count, (start, n) =>
    kept ? ax.narrow(kept.images, 0, start, n) : model.sample(n, undefined, { generator: noise, averaged }),
  );
  kept?.images.dispose();
  const shares = classShares(predictedClasses(probs));
  return {
    inceptionScore: inceptionScore(probs),
    minDigitShare: Math.min(...shares),
    maxDigitShare: Math.max(...shares),
    digitsBalanced: shares.every((s) => s >= 0.07 && s <= 0.13),
    digitShares: shares.map((s) => `${(100 * s).toFixed(1)}%`).join(' '),
    samples: count,
    ...(kept ? { candidates: kept.candidates, threshold: kept.threshold } : {}),
  };
}

function describe(r: Awaited<ReturnType<typeof score>>): string {
  const drawn = r.candidates ? `, kept from ${r.candidates} candidates (τ ${r.threshold?.toFixed(3)})` : '';
  return `MNIST inception score ${r.inceptionScore.toFixed(3)} over ${r.samples} samples${drawn}; digit shares 0-9: ${r.digitShares}`;
}
