/**
 * The GAN model: a DCGAN generator and discriminator in one Module (so they save and load as one
 * file), the choice of adversarial objective (non-saturating, or WGAN-GP with its critic
 * iterations and gradient penalty), `sample(n, labels?)`, and the training step that alternates
 * the two players' updates with their own optimizers.
 */
import { noGrad } from '@axon/autograd';
import { type LayerConfig, Module, registerLayer, updateBatchNorm } from '@axon/layers';
import {
  add,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  crossEntropy,
  dispose,
  type Generator,
  mul,
  randint,
  randn,
  type Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { show } from '../args';
import {
  checkBatch,
  checkContext,
  namedOptimizer,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { type Conditioning, checkConditioning, checkLabels, type GanConditioning } from './conditioning';
import { DCGANDiscriminator, DISCRIMINATOR_NORMS, type DiscriminatorNorm } from './discriminator';
import { updateAverage } from './ema';
import { DCGANGenerator } from './generator';
import { gradientPenalty, r1PenaltyAt } from './gradient_penalty';
import { dcganInit, GAN_INITS, type GanInit } from './init';
import {
  discriminatorLoss,
  nonSaturatingGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from './losses';
import { dcganPlan } from './plan';

/** 'nonSaturating' (the default: BCE discriminator, non-saturating generator) or 'wgan-gp'. */
export const GAN_LOSSES = ['nonSaturating', 'wgan-gp'] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

/**
 * The names of the GAN's two optimizers in the step context: `fit(model, data, {optimizers: {gen:
 * new Adam(model.generator.parameters()), disc: new Adam(model.discriminator.parameters())}})`.
 */
export const GAN_OPTIMIZERS = { generator: 'gen', discriminator: 'disc' } as const;

const OPTIMIZER_HINT =
  'pass fit({optimizers: {gen: <optimizer of model.generator>, disc: <optimizer of model.discriminator>}})';

export interface GanOptions {
  /** Dimensions of the noise z (default 100). */
  latentSize?: number;
  /** Height = width of the images, an even size >= 8 such as 28, 32 or 64 (default 28). */
  imageSize?: number;
  /** Image channels (default 1). */
  channels?: number;
  /** The generator's `features` (default 64). */
  generatorFeatures?: number;
  /** The discriminator's `features` (default 64). */
  discriminatorFeatures?: number;
  /** Convolutions per feature-map size in both networks (default 1, DCGAN's; see their `depth`). */
  depth?: number;
  /** Classes of a conditional GAN (default none: unconditional); the batch's `y` holds the labels. */
  numClasses?: number | null;
  /** How labels enter both networks: 'embedding' (default) or 'onehot'. */
  conditioning?: GanConditioning;
  /** The generator's label-embedding width (default numClasses); 'embedding' only. */
  embeddingDim?: number;
  /**
   * Values of a categorical latent code (InfoGAN, Chen et al. 2016; default none): the generator
   * also takes a code c drawn uniformly from 0 … K−1 (one-hot, beside z), and a head on the
   * discriminator's features learns to tell c back from G(z, c); both players also minimise
   * `infoWeight` · its cross-entropy, a bound on the mutual information between c and the image.
   * An unconditional GAN only (no numClasses): the data's labels are never used.
   */
  latentCodes?: number | null;
  /** λ of the code's cross-entropy (default 1); `latentCodes` only. */
  infoWeight?: number;
  /** The objective (default 'nonSaturating'). */
  loss?: GanLoss;
  /** Discriminator (critic) updates per step before the generator's (default 1; 5 for 'wgan-gp'). */
  nCritic?: number;
  /** The gradient penalty's weight λ (default 10); 'wgan-gp' only. */
  gpWeight?: number;
  /**
   * γ of the R1 penalty (Mescheder et al. 2018), γ/2 · E[‖∇ₓ D(x)‖²] on the real images added to
   * the discriminator's loss (default 0: none); 'nonSaturating' only, with discriminatorNorm
   * 'layer' or 'none' (the penalty is per example).
   */
  r1Weight?: number;
  /**
   * Lazy R1 (Karras et al. 2020, StyleGAN2; 16 there): the penalty on the discriminator updates of
   * every k-th step only (fit's steps 0, k, 2k, …), weighted k·γ/2 so that its weight per step is
   * unchanged on average (default 1: every step). The penalty's double backward is ~30% of a
   * depth-3 step on a CPU; at k = 16 a step takes ~0.8 of the time. Needs `r1Weight`.
   */
  r1Every?: number;
  /**
   * The discriminator's normalisation (default 'batch'; 'layer' for 'wgan-gp', which must not use
   * 'batch': the penalty needs each score to depend on its own example only).
   */
  discriminatorNorm?: DiscriminatorNorm;
  /**
   * The weights' initialisation: 'default' (each layer's own, as PyTorch's) or 'dcgan' (N(0, 0.02)
   * weights, N(1, 0.02) batch-norm scales, zero biases; Radford et al. 2016). Default 'default'.
   */
  init?: GanInit;
  /**
   * Keep an exponential moving average of the generator's weights with this decay per step (such as
   * 0.999), in a child `generatorEma` that `forward` and `sample` draw from (default 0: none; see
   * ema.ts). The two players still train the generator itself.
   */
  emaDecay?: number;
}

/**
 * A GAN, registered as 'GAN' (config: its options), with children `generator` (a
 * {@link DCGANGenerator}) and `discriminator` (a {@link DCGANDiscriminator}, the critic under
 * WGAN-GP), and `generatorEma` (the generator's moving average) when `emaDecay` > 0.
 * `forward(z, labels?)` is the generator's — the averaged one when there is one.
 *
 * `trainStep` does, on a batch of real images x (and labels y, conditional only):
 * 1. `nCritic` times: fakes G(z) from fresh noise (no gradient to G), then the discriminator's loss
 *    — BCE (real → 1, fake → 0), plus γ/2 · the R1 penalty with `r1Weight` (r1Every·γ/2 on every
 *    r1Every-th step, none between), or the Wasserstein critic loss + λ·gradient penalty —
 *    minimised with `ctx.optimizers.disc`;
 * 2. once: fresh fakes and the generator's loss — non-saturating −log σ(D(G(z))), or −D(G(z)) —
 *    minimised with `ctx.optimizers.gen` (the discriminator's parameters are left out of that
 *    backward pass).
 *
 * Noise and interpolation weights come from `ctx.generator`. Logs `d_loss` (what the last critic
 * iteration minimised, penalties included) and `g_loss` (the generator's adversarial loss), `gp`
 * under WGAN-GP, `r1` with `r1Weight` (the unweighted penalty, on the steps that compute it). A
 * conditional GAN uses the batch's labels for both the real and the fake images. With `latentCodes`, each batch of fakes is drawn with uniform codes, and
 * both losses gain `infoWeight` · the code head's cross-entropy on them (logged as `info`, the
 * generator's). With `emaDecay`, each step ends by moving `generatorEma` towards the generator.
 */
export class GAN extends Module implements SteppedModel {
  readonly latentSize: number;
  readonly imageSize: number;
  readonly channels: number;
  readonly generatorFeatures: number;
  readonly discriminatorFeatures: number;
  /** Convolutions per feature-map size in both networks. */
  readonly depth: number;
  readonly cond: Conditioning | null;
  readonly embeddingDim: number | null;
  /** Values of the InfoGAN code (null: none). */
  readonly latentCodes: number | null;
  /** λ of the code's cross-entropy (null without latentCodes). */
  readonly infoWeight: number | null;
  readonly loss: GanLoss;
  readonly nCritic: number;
  private gpLambda: number | null;
  private r1Gamma: number;
  /** The penalty on every r1Every-th step (lazy R1), weighted r1Every·γ/2. */
  readonly r1Every: number;
  readonly discriminatorNorm: DiscriminatorNorm;
  readonly init: GanInit;
  readonly emaDecay: number;
  readonly generator: DCGANGenerator;
  readonly discriminator: DCGANDiscriminator;
  /** The moving average of the generator's weights (`emaDecay` > 0), or null. */
  readonly generatorEma: DCGANGenerator | null;

  /** λ of WGAN-GP's gradient penalty (null for the other losses). */
  get gpWeight(): number | null {
    return this.gpLambda;
  }

  /**
   * Changes λ between steps, as a schedule would (e.g. 10, then 1 for the last epochs:
   * `examples/mnist-dcgan --lambda 10-then-1`). Only under WGAN-GP, and to another λ > 0.
   */
  set gpWeight(value: number | null) {
    const fn = 'GAN.gpWeight';
    if (this.gpLambda === null) {
      throw new ValueError(
        `${fn}: the gradient penalty belongs to loss 'wgan-gp', this GAN's is '${this.loss}'; got gpWeight ${show(value)}`,
      );
    }
    this.gpLambda = checkNumber(fn, 'gpWeight', value, { min: 0, exclusiveMin: true });
  }

  /** γ of the R1 penalty on real images (0: none). */
  get r1Weight(): number {
    return this.r1Gamma;
  }

  /**
   * Changes γ between steps, as a schedule would (e.g. 1, then 0.1 once the discriminator flattens:
   * `examples/mnist-dcgan --gamma 1-then-0.1`). Only on a GAN built with R1, and to another γ > 0:
   * the penalty's presence (and lazy R1's spacing) is part of the model's construction.
   */
  set r1Weight(value: number) {
    const fn = 'GAN.r1Weight';
    if (this.r1Gamma === 0) {
      throw new ValueError(
        `${fn}: this GAN was built without the R1 penalty; build it with r1Weight > 0 (and discriminatorNorm 'layer' or 'none') to set γ, got r1Weight ${show(value)}`,
      );
    }
    this.r1Gamma = checkNumber(fn, 'r1Weight', value, { min: 0, exclusiveMin: true });
  }

  constructor(options: GanOptions = {}) {
    super();
    const fn = 'gan';
    const o = checkOptions(fn, options);
    this.loss = checkOneOf(fn, 'loss', o.loss ?? 'nonSaturating', GAN_LOSSES);
    const wgan = this.loss === 'wgan-gp';
    this.latentSize = checkPositiveInt(fn, 'latentSize', o.latentSize ?? 100);
    dcganPlan(fn, o.imageSize ?? 28);
    this.imageSize = (o.imageSize as number | undefined) ?? 28;
    this.channels = checkPositiveInt(fn, 'channels', o.channels ?? 1);
    this.generatorFeatures = checkPositiveInt(fn, 'generatorFeatures', o.generatorFeatures ?? 64);
    this.discriminatorFeatures = checkPositiveInt(fn, 'discriminatorFeatures', o.discriminatorFeatures ?? 64);
    this.depth = checkPositiveInt(fn, 'depth', o.depth ?? 1);
    this.cond = checkConditioning(fn, o);
    const codes = o.latentCodes === undefined || o.latentCodes === null ? null : o.latentCodes;
    this.latentCodes = codes === null ? null : checkPositiveInt(fn, 'latentCodes', codes);
    if (this.latentCodes !== null && this.cond) {
      throw new ValueError(
        `gan: latentCodes is for an unconditional GAN, got latentCodes ${show(codes)} with numClasses ${this.cond.numClasses}`,
      );
    }
    if (this.latentCodes === null && o.infoWeight !== undefined && o.infoWeight !== null) {
      throw new ValueError(
        `gan: infoWeight applies with latentCodes only, got infoWeight ${show(o.infoWeight)}`,
      );
    }
    this.infoWeight =
      this.latentCodes === null ? null : checkNumber(fn, 'infoWeight', o.infoWeight ?? 1, { min: 0 });
    this.nCritic = checkPositiveInt(fn, 'nCritic', o.nCritic ?? (wgan ? 5 : 1));
    if (wgan) {
      this.gpLambda = checkNumber(fn, 'gpWeight', o.gpWeight ?? 10, { min: 0 });
    } else if (o.gpWeight !== undefined && o.gpWeight !== null) {
      throw new ValueError(
        `gan: gpWeight applies to loss 'wgan-gp' only, got gpWeight ${show(o.gpWeight)} with loss 'nonSaturating'`,
      );
    } else {
      this.gpLambda = null;
    }
    this.r1Gamma = checkNumber(fn, 'r1Weight', o.r1Weight ?? 0, { min: 0 });
    if (wgan && this.r1Weight > 0) {
      throw new ValueError(
        `gan: r1Weight applies to loss 'nonSaturating' only, got r1Weight ${show(o.r1Weight)} with loss 'wgan-gp'`,
      );
    }
    this.r1Every = checkPositiveInt(fn, 'r1Every', o.r1Every ?? 1);
    if (this.r1Every > 1 && this.r1Weight === 0) {
      throw new ValueError(
        `gan: r1Every spaces out the R1 penalty: it needs r1Weight > 0, got r1Every ${show(o.r1Every)} with r1Weight ${show(o.r1Weight ?? 0)}`,
      );
    }
    this.discriminatorNorm = checkOneOf(
      fn,
      'discriminatorNorm',
      o.discriminatorNorm ?? (wgan ? 'layer' : 'batch'),
      DISCRIMINATOR_NORMS,
    );
    if (wgan && this.discriminatorNorm === 'batch') {
      throw new ValueError(
        "gan: expected discriminatorNorm 'layer' or 'none' with loss 'wgan-gp' (the gradient penalty is per example), got 'batch'",
      );
    }
    if (this.r1Weight > 0 && this.discriminatorNorm === 'batch') {
      throw new ValueError(
        `gan: expected discriminatorNorm 'layer' or 'none' with r1Weight ${show(o.r1Weight)} (the R1 penalty is per example), got 'batch'`,
      );
    }
    this.init = checkOneOf(fn, 'init', o.init ?? 'default', GAN_INITS);
    this.emaDecay = checkNumber(fn, 'emaDecay', o.emaDecay ?? 0, { min: 0, max: 1, exclusiveMax: true });
    const condOptions = this.cond
      ? { numClasses: this.cond.numClasses, conditioning: this.cond.conditioning }
      : {};
    // The code enters the generator as a one-hot label would; the discriminator gets a head for it.
    const codeOptions = this.latentCodes
      ? { numClasses: this.latentCodes, conditioning: 'onehot' as const }
      : {};
    const generatorOptions = {
      latentSize: this.latentSize,
      imageSize: this.imageSize,
      channels: this.channels,
      features: this.generatorFeatures,
      depth: this.depth,
      ...condOptions,
      ...codeOptions,
      ...(o.embeddingDim !== undefined && o.embeddingDim !== null
        ? { embeddingDim: o.embeddingDim as number }
        : {}),
    };
    this.generator = this.addModule('generator', new DCGANGenerator(generatorOptions));
    this.embeddingDim = this.generator.embeddingDim;
    this.discriminator = this.addModule(
      'discriminator',
      new DCGANDiscriminator({
        imageSize: this.imageSize,
        channels: this.channels,
        features: this.discriminatorFeatures,
        norm: this.discriminatorNorm,
        depth: this.depth,
        ...condOptions,
        ...(this.latentCodes ? { codes: this.latentCodes } : {}),
      }),
    );
    if (this.init === 'dcgan') {
      dcganInit(this.generator);
      dcganInit(this.discriminator);
    }
    this.generatorEma = null;
    if (this.emaDecay > 0) {
      // Starts as a copy of the generator; never trained itself (frozen), only averaged.
      this.generatorEma = this.addModule('generatorEma', new DCGANGenerator(generatorOptions)).freeze();
      this.generatorEma.loadStateDict(this.generator.stateDict());
    }
  }

  /**
   * The generator's images [N, channels, imageSize, imageSize] for noise z [N, latentSize] (and
   * labels [N], or with latentCodes the codes [N]), from `generatorEma` when the GAN keeps one.
   */
  forward(z: Tensor, labels?: Tensor): Tensor {
    return (this.generatorEma ?? this.generator).forward(z, labels);
  }

  /**
   * n images from noise drawn from `generator` (default: the one `manualSeed` seeds). A conditional
   * GAN takes `labels` (a Tensor [n] or an array of class indices; default: 0, 1, …, cycling through
   * the classes); one with latentCodes takes the codes the same way (default: drawn uniformly from
   * `generator` after the noise); any other refuses them. Draws from `generatorEma` when there is
   * one, unless `averaged` is false (then from the generator being trained). Runs in the current
   * mode: call `eval()` first so batch norm uses its running statistics.
   */
  sample(
    n: number,
    labels?: Tensor | number[],
    options: { generator?: Generator; averaged?: boolean } = {},
  ): Tensor {
    checkPositiveInt('GAN.sample', 'n', n);
    const o = checkOptions('GAN.sample', options);
    const net = o.averaged === false ? this.generator : (this.generatorEma ?? this.generator);
    return net.forward(
      ...this.generatorInputs('GAN.sample', n, labels, o.generator as Generator | undefined),
    );
  }

  /**
   * Recomputes the batch-norm statistics of `generatorEma` for its own weights (see ema.ts; with
   * layers' `updateBatchNorm`): `batches` batches of `batchSize` samples, from noise (and labels or
   * codes, as `sample` makes them) drawn from `generator` (default: the one `manualSeed` seeds).
   * Call it before sampling from the average in eval mode: until then it normalises with the
   * trained generator's statistics, which every step copies over it. Without `emaDecay`, a no-op.
   */
  updateAverageStatistics(
    options: { batches?: number; batchSize?: number; generator?: Generator } = {},
  ): void {
    const fn = 'GAN.updateAverageStatistics';
    const o = checkOptions(fn, options);
    const batches = checkPositiveInt(fn, 'batches', o.batches ?? 50);
    const batchSize = checkPositiveInt(fn, 'batchSize', o.batchSize ?? 256);
    const average = this.generatorEma;
    if (!average) return;
    const noise = o.generator as Generator | undefined;
    const draw = function* (gan: GAN) {
      for (let i = 0; i < batches; i++) {
        const [z, y] = gan.generatorInputs(fn, batchSize, undefined, noise);
        yield y ? [z, y] : z;
      }
    };
    tidy(() => updateBatchNorm(average, draw(this)));
  }

  /** The generator's inputs for n samples: noise, and labels (given or cycling) or drawn codes. */
  private generatorInputs(
    fn: string,
    n: number,
    labels: Tensor | number[] | undefined,
    noise: Generator | undefined,
  ): [Tensor, Tensor | undefined] {
    const z = randn([n, this.latentSize], { generator: noise });
    const given =
      labels === undefined && this.cond
        ? Array.from({ length: n }, (_, i) => i % (this.cond as Conditioning).numClasses)
        : labels;
    const y =
      this.latentCodes && given === undefined
        ? this.drawCodes(n, noise)
        : checkLabels(fn, this.generator.cond, given, n);
    return [z, y];
  }

  /** n codes drawn uniformly (latentCodes only). */
  private drawCodes(n: number, generator: Generator | undefined): Tensor {
    return randint(0, this.latentCodes as number, [n], { generator });
  }

  /** The code head's cross-entropy on fakes drawn with `codes`, weighted by infoWeight. */
  private infoLoss(codeLogits: Tensor, codes: Tensor): Tensor {
    return mul(crossEntropy(codeLogits, codes), this.infoWeight as number);
  }

  private batchLabels(owner: string, x: Tensor, y: Tensor | undefined): Tensor | undefined {
    if (!this.cond) return undefined;
    if (!y) {
      throw new ValueError(
        `${owner}: a conditional GAN needs the labels as batch.y [${x.shape[0]}], got none`,
      );
    }
    return checkLabels(owner, this.cond, y, x.shape[0]);
  }

  private discriminatorStep(real: Tensor, labels: Tensor | undefined, ctx: StepContext): StepLogs {
    const D = (t: Tensor) => this.discriminator.forward(t, labels);
    const z = randn([real.shape[0], this.latentSize], { generator: ctx.generator });
    const codes = this.latentCodes ? this.drawCodes(real.shape[0], ctx.generator) : undefined;
    const fake = noGrad(() => this.generator.forward(z, codes ?? labels));
    // With R1 the penalty differentiates the very scores the loss uses (one forward pass on the
    // real images), so they are computed on a copy of the images that requires a gradient.
    // Lazy R1: only on every r1Every-th step, weighted r1Every times as much.
    const penalise = this.r1Weight > 0 && ctx.step % this.r1Every === 0;
    const r1Input = penalise ? real.detach().requiresGrad_() : null;
    const realOut = D(r1Input ?? real);
    // With a code, the head learns it back from the fakes in the same pass as their scores.
    const judged = codes ? this.discriminator.forwardWithCodes(fake) : { scores: D(fake), codeLogits: null };
    const fakeOut = judged.scores;
    const info = codes && judged.codeLogits ? this.infoLoss(judged.codeLogits, codes) : null;
    const withInfo = (loss: Tensor) => (info ? add(loss, info) : loss);
    const optimizer = namedOptimizer('GAN.trainStep', ctx, GAN_OPTIMIZERS.discriminator, OPTIMIZER_HINT);
    if (this.loss === 'nonSaturating') {
      const bce = discriminatorLoss(realOut, fakeOut);
      const r1 = r1Input ? r1PenaltyAt(realOut, r1Input) : null;
      const dLoss = withInfo(r1 ? add(bce, mul(r1, (this.r1Every * this.r1Weight) / 2)) : bce);
      ctx.minimize(dLoss, optimizer);
      if (r1Input) r1Input.grad = null; // the backward reached the images' copy too
      return r1 ? { d_loss: dLoss, r1 } : { d_loss: dLoss };
    }
    const gp = gradientPenalty(D, real, fake, { generator: ctx.generator });
    const dLoss = withInfo(add(wassersteinCriticLoss(realOut, fakeOut), mul(gp, this.gpWeight as number)));
    ctx.minimize(dLoss, optimizer);
    return { d_loss: dLoss, gp };
  }

  private generatorStep(n: number, labels: Tensor | undefined, ctx: StepContext): StepLogs {
    const z = randn([n, this.latentSize], { generator: ctx.generator });
    const codes = this.latentCodes ? this.drawCodes(n, ctx.generator) : undefined;
    const fake = this.generator.forward(z, codes ?? labels);
    // The discriminator's parameters stay out of this graph: its optimizer is not stepped here, and
    // gradients left on them would leak into its next update.
    const params = this.discriminator.parameters();
    const flags = params.map((p) => p.requiresGrad);
    for (const p of params) p.requiresGrad = false;
    try {
      const judged = codes
        ? this.discriminator.forwardWithCodes(fake)
        : { scores: this.discriminator.forward(fake, labels), codeLogits: null };
      const out = judged.scores;
      const gLoss =
        this.loss === 'nonSaturating' ? nonSaturatingGeneratorLoss(out) : wassersteinGeneratorLoss(out);
      const info = codes && judged.codeLogits ? this.infoLoss(judged.codeLogits, codes) : null;
      const optimizer = namedOptimizer('GAN.trainStep', ctx, GAN_OPTIMIZERS.generator, OPTIMIZER_HINT);
      ctx.minimize(info ? add(gLoss, info) : gLoss, optimizer);
      return info ? { g_loss: gLoss, info } : { g_loss: gLoss };
    } finally {
      params.forEach((p, i) => {
        p.requiresGrad = flags[i];
      });
    }
  }

  /** One GAN step: `nCritic` discriminator updates, then one generator update (see the class notes). */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const owner = 'GAN.trainStep';
    const { x: real, y } = checkBatch(owner, batch);
    const context = checkContext(owner, ctx);
    namedOptimizer(owner, context, GAN_OPTIMIZERS.discriminator, OPTIMIZER_HINT);
    namedOptimizer(owner, context, GAN_OPTIMIZERS.generator, OPTIMIZER_HINT);
    const labels = this.batchLabels(owner, real, y);
    let dLogs: StepLogs = {};
    for (let i = 0; i < this.nCritic; i++) {
      dispose(dLogs);
      dLogs = tidy(() => this.discriminatorStep(real, labels, context));
    }
    const gLogs = tidy(() => this.generatorStep(real.shape[0], labels, context));
    if (this.generatorEma) updateAverage(this.generatorEma, this.generator, this.emaDecay);
    return { ...dLogs, ...gLogs };
  }

  /**
   * The two losses on `batch` without updates (fresh noise from `ctx.generator`): `d_loss` (under
   * WGAN-GP the critic loss without the penalty, which needs gradients) and `g_loss`.
   */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const owner = 'GAN.evalStep';
    const { x: real, y } = checkBatch(owner, batch);
    const context = checkContext(owner, ctx);
    const labels = this.batchLabels(owner, real, y);
    const z = randn([real.shape[0], this.latentSize], { generator: context.generator });
    const codes = this.latentCodes ? this.drawCodes(real.shape[0], context.generator) : undefined;
    const fakeOut = this.discriminator.forward(this.generator.forward(z, codes ?? labels), labels);
    const realOut = this.discriminator.forward(real, labels);
    if (this.loss === 'nonSaturating') {
      return { d_loss: discriminatorLoss(realOut, fakeOut), g_loss: nonSaturatingGeneratorLoss(fakeOut) };
    }
    return { d_loss: wassersteinCriticLoss(realOut, fakeOut), g_loss: wassersteinGeneratorLoss(fakeOut) };
  }

  override config(): LayerConfig {
    return {
      latentSize: this.latentSize,
      imageSize: this.imageSize,
      channels: this.channels,
      generatorFeatures: this.generatorFeatures,
      discriminatorFeatures: this.discriminatorFeatures,
      ...(this.depth > 1 ? { depth: this.depth } : {}),
      numClasses: this.cond?.numClasses ?? null,
      ...(this.cond ? { conditioning: this.cond.conditioning } : {}),
      ...(this.embeddingDim !== null ? { embeddingDim: this.embeddingDim } : {}),
      ...(this.latentCodes !== null ? { latentCodes: this.latentCodes, infoWeight: this.infoWeight } : {}),
      loss: this.loss,
      nCritic: this.nCritic,
      ...(this.gpWeight !== null ? { gpWeight: this.gpWeight } : {}),
      ...(this.r1Weight > 0 ? { r1Weight: this.r1Weight } : {}),
      ...(this.r1Every > 1 ? { r1Every: this.r1Every } : {}),
      discriminatorNorm: this.discriminatorNorm,
      init: this.init,
      emaDecay: this.emaDecay,
    };
  }

  static fromConfig(config: LayerConfig): GAN {
    return new GAN(config as GanOptions);
  }
}

registerLayer('GAN', GAN);

/**
 * Builds a {@link GAN}. `gan()` is a DCGAN for 28×28 grey images; `gan({numClasses: 10})` a
 * conditional one; `gan({loss: 'wgan-gp'})` a WGAN-GP (5 critic updates per generator update,
 * λ = 10, layer-normalised critic). Train it with `fit(model, data, {optimizers: {gen, disc}})`
 * (see {@link GAN_OPTIMIZERS}). Throws ValueError naming `gan` and the bad option.
 */
export function gan(options: GanOptions = {}): GAN {
  return new GAN(options);
}
