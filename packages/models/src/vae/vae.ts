/**
 * The variational autoencoder (Kingma & Welling 2014): an encoder giving q(z | x) = N(mu,
 * exp(logVar)), the reparameterisation z = mu + exp(logVar/2)·ε, and a Bernoulli (logits) or
 * Gaussian decoder p(x | z); trained by maximising the ELBO, evaluated with the importance
 * weighted bound. MLP or convolutional encoder (the decoder mirrors it). The maths is in elbo.ts,
 * likelihood.ts and iwae.ts; this file builds the layers and the step.
 */
import {
  Flatten,
  gaussianSample,
  type LayerConfig,
  Linear,
  Module,
  Reshape,
  registerLayer,
  Sequential,
} from '@axon/layers';
import {
  add,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  chunk,
  describeValue,
  expand,
  fmtShape,
  type Generator,
  mean,
  randn,
  reshape,
  ShapeError,
  sigmoid,
  type Tensor,
  Tensor as TensorClass,
  unsqueeze,
  ValueError,
} from '@axon/tensor';
import { show } from '../args';
import { checkImageSize, checkOddKernel, checkWidths, convStack, type ImageSizeOption } from '../conv_stages';
import { activationLayer, MLP_ACTIVATIONS, type MlpActivation } from '../mlp';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { type ElboTerms, elbo, type KlEstimator } from './elbo';
import { importanceLogWeights, iwaeBound } from './iwae';
import type { DecoderOutput } from './likelihood';

export const VAE_ENCODERS = ['mlp', 'conv'] as const;
export type VaeEncoder = (typeof VAE_ENCODERS)[number];
export const VAE_DECODERS = ['bernoulli', 'gaussian'] as const;
export type VaeDecoder = (typeof VAE_DECODERS)[number];

const MLP_ONLY = ['inputSize', 'hiddenSizes'] as const;
const CONV_ONLY = ['inChannels', 'imageSize', 'channels', 'kernelSize'] as const;

export interface VaeOptions {
  /** 'mlp' (default) or 'conv'; the decoder mirrors the encoder. */
  encoder?: VaeEncoder;
  /** mlp: values per example (x is [N, inputSize], or [N, ...] with that many values). */
  inputSize?: number;
  /** mlp: widths of the encoder's hidden layers; the decoder mirrors them (default []). */
  hiddenSizes?: number[];
  /** conv: image channels (default 1). */
  inChannels?: number;
  /** conv: image height and width, a number or [h, w] (default 28). */
  imageSize?: ImageSizeOption;
  /** conv: output channels of each stride-2 Conv2d stage (default [32, 64]). */
  channels?: number[];
  /** conv: kernel size of every convolution, odd (default 3). */
  kernelSize?: number;
  /** Dimensions of the code z. */
  latentSize: number;
  /** Activation after each hidden layer or stage (default 'relu'). */
  activation?: MlpActivation;
  /** p(x | z): 'bernoulli' (default; the decoder outputs logits) or 'gaussian'. */
  decoder?: VaeDecoder;
  /**
   * gaussian only: 'learned' (default; the decoder outputs a mean and a log-variance per value) or
   * a fixed variance σ² > 0 for every value (the decoder outputs the mean).
   */
  outputVariance?: 'learned' | number;
}

export interface VaeNoiseOptions {
  /** The standard-normal draws ε to use ([N, Z]); default: drawn from `generator`. */
  eps?: Tensor;
  /** Where ε comes from when not given (default: the generator seeded by `manualSeed`). */
  generator?: Generator;
}

export interface VaeElboOptions extends VaeNoiseOptions {
  /** How the KL term is computed (default 'analytic'; 'monteCarlo' estimates it at z). */
  kl?: KlEstimator;
}

/** The ELBO of each example, with what went into it. */
export interface VaeElbo extends ElboTerms {
  mu: Tensor;
  logVar: Tensor;
  z: Tensor;
  decoded: DecoderOutput;
}

/** The negative ELBO averaged over the batch (the loss), its two terms, and the per-example parts. */
export interface VaeLoss {
  /** mean over the batch of −ELBO = recon + kl. */
  loss: Tensor;
  /** mean over the batch of −log p(x | z). */
  recon: Tensor;
  /** mean over the batch of KL(q(z | x) ‖ p(z)). */
  kl: Tensor;
  terms: VaeElbo;
}

export interface VaeLogLikelihoodOptions {
  /** Importance samples per example (k = 1 gives the ELBO estimate). */
  k: number;
  /** The standard-normal draws [k, N, Z]; default: drawn from `generator`. */
  eps?: Tensor;
  generator?: Generator;
}

/**
 * A VAE, registered as 'VAE' (config: its options). Children:
 *
 * - `encoder`: mlp `Linear(D, h₁) → act → … → Linear(hₖ₋₁, hₖ) → act`; conv the stride-2 Conv2d
 *   stages (as the convolutional autoencoder's) then `Flatten`.
 * - `mu`, `logVar`: Linear heads from the encoder's features to the code, q(z | x) = N(mu, exp(logVar)).
 * - `decoder`: mlp `Linear(Z, hₖ) → act → … → Linear(h₁, D′)`; conv `Linear(Z, c·h·w) → act →
 *   Reshape → ConvTranspose2d stages` to C′ channels. D′ = D (C′ = C) for Bernoulli logits or a
 *   fixed-variance Gaussian mean; 2D (2C) for a learned-variance Gaussian: mean then log-variance.
 *
 * `forward(x)` is `reconstruct(x)`. The training step minimises the negative ELBO, with z drawn by
 * reparameterisation from `ctx.generator`, and logs `loss`, `recon` and `kl`.
 */
export class VAE extends Module implements SteppedModel {
  readonly encoderType: VaeEncoder;
  readonly decoderType: VaeDecoder;
  readonly latentSize: number;
  readonly activation: MlpActivation;
  /** Gaussian decoders: 'learned' or the fixed σ²; Bernoulli: null. */
  readonly outputVariance: 'learned' | number | null;
  /** The shape of one example: [inputSize] (mlp) or [C, H, W] (conv). */
  readonly dataShape: readonly number[];
  readonly inputSize: number | null;
  readonly hiddenSizes: readonly number[] | null;
  readonly inChannels: number | null;
  readonly imageSize: [number, number] | null;
  readonly channels: readonly number[] | null;
  readonly kernelSize: number | null;
  readonly encoder: Sequential;
  readonly mu: Linear;
  readonly logVar: Linear;
  readonly decoder: Sequential;

  constructor(options: VaeOptions) {
    super();
    const fn = 'vae';
    const o = checkOptions(fn, options);
    this.encoderType = checkOneOf(fn, 'encoder', o.encoder ?? 'mlp', VAE_ENCODERS);
    const foreign = this.encoderType === 'mlp' ? CONV_ONLY : MLP_ONLY;
    for (const key of foreign) {
      if (o[key] !== undefined && o[key] !== null) {
        throw new ValueError(
          `vae: ${key} applies to encoder '${this.encoderType === 'mlp' ? 'conv' : 'mlp'}' only, got ${key} ${show(o[key])} with encoder '${this.encoderType}'`,
        );
      }
    }
    this.latentSize = checkPositiveInt(fn, 'latentSize', o.latentSize);
    this.activation = checkOneOf(fn, 'activation', o.activation ?? 'relu', MLP_ACTIVATIONS);
    this.decoderType = checkOneOf(fn, 'decoder', o.decoder ?? 'bernoulli', VAE_DECODERS);
    if (this.decoderType === 'bernoulli') {
      if (o.outputVariance !== undefined && o.outputVariance !== null) {
        throw new ValueError(
          `vae: outputVariance applies to decoder 'gaussian' only, got ${describeValue(o.outputVariance)} with decoder 'bernoulli'`,
        );
      }
      this.outputVariance = null;
    } else {
      const v = o.outputVariance ?? 'learned';
      this.outputVariance =
        v === 'learned'
          ? v
          : checkNumber(fn, "outputVariance ('learned' or a variance)", v, { min: 0, exclusiveMin: true });
    }
    const outFactor = this.outputVariance === 'learned' ? 2 : 1;
    const Z = this.latentSize;
    const act = () => activationLayer(this.activation);

    if (this.encoderType === 'mlp') {
      const D = checkPositiveInt(fn, 'inputSize', o.inputSize);
      const hidden = checkWidths(fn, 'hiddenSizes', o.hiddenSizes ?? [], { allowEmpty: true });
      this.inputSize = D;
      this.hiddenSizes = hidden;
      this.inChannels = null;
      this.imageSize = null;
      this.channels = null;
      this.kernelSize = null;
      this.dataShape = [D];
      const enc: Module[] = [];
      hidden.forEach((h, i) => {
        enc.push(new Linear(i === 0 ? D : hidden[i - 1], h), act());
      });
      const features = hidden.length ? hidden[hidden.length - 1] : D;
      const dec: Module[] = [];
      const back = [...hidden].reverse();
      back.forEach((h, i) => {
        dec.push(new Linear(i === 0 ? Z : back[i - 1], h), act());
      });
      dec.push(new Linear(back.length ? back[back.length - 1] : Z, outFactor * D));
      this.encoder = this.addModule('encoder', new Sequential(...enc));
      this.mu = this.addModule('mu', new Linear(features, Z));
      this.logVar = this.addModule('logVar', new Linear(features, Z));
      this.decoder = this.addModule('decoder', new Sequential(...dec));
    } else {
      const C = checkPositiveInt(fn, 'inChannels', o.inChannels ?? 1);
      const size = checkImageSize(fn, o.imageSize ?? 28);
      const channels = checkWidths(fn, 'channels', o.channels ?? [32, 64]);
      const k = checkOddKernel(fn, o.kernelSize ?? 3);
      this.inputSize = null;
      this.hiddenSizes = null;
      this.inChannels = C;
      this.imageSize = size;
      this.channels = channels;
      this.kernelSize = k;
      this.dataShape = [C, size[0], size[1]];
      const stack = convStack(C, size, channels, k, this.activation, outFactor * C);
      const flat = stack.featureShape.reduce((a, d) => a * d, 1);
      this.encoder = this.addModule('encoder', new Sequential(...stack.encoder, new Flatten()));
      this.mu = this.addModule('mu', new Linear(flat, Z));
      this.logVar = this.addModule('logVar', new Linear(flat, Z));
      this.decoder = this.addModule(
        'decoder',
        new Sequential(new Linear(Z, flat), act(), new Reshape(stack.featureShape), ...stack.decoder),
      );
    }
  }

  /** x as the encoder takes it, [N, ...dataShape] (an mlp VAE flattens [N, ...] with D values). */
  private prepare(fn: string, x: unknown): Tensor {
    if (!(x instanceof TensorClass)) {
      throw new ValueError(
        `VAE.${fn}: expected x to be a Tensor [N, ${this.dataShape.join(', ')}], got ${describeValue(x)}`,
      );
    }
    const D = this.dataShape.reduce((a, d) => a * d, 1);
    if (this.encoderType === 'mlp') {
      const per = x.shape.slice(1).reduce((a, d) => a * d, 1);
      if (x.rank >= 2 && per === D) return x.rank === 2 ? x : reshape(x, [x.shape[0], D]);
    } else if (x.rank === 4 && x.shape.slice(1).join() === this.dataShape.join()) {
      return x;
    }
    throw new ShapeError(
      `VAE.${fn}: expected x [N, ${this.dataShape.join(', ')}]${this.encoderType === 'mlp' ? ` (or [N, ...] with ${D} values per example)` : ''}, got ${fmtShape(x.shape)}`,
    );
  }

  private checkCode(fn: string, z: unknown): Tensor {
    if (!(z instanceof TensorClass) || z.rank !== 2 || z.shape[1] !== this.latentSize) {
      const got = z instanceof TensorClass ? fmtShape(z.shape) : describeValue(z);
      throw new ShapeError(`VAE.${fn}: expected z [N, ${this.latentSize}], got ${got}`);
    }
    return z;
  }

  /** The posterior q(z | x) = N(mu, exp(logVar)): mu and logVar [N, latentSize]. */
  encode(x: Tensor): { mu: Tensor; logVar: Tensor } {
    const h = this.encoder.forward(this.prepare('encode', x));
    return { mu: this.mu.forward(h), logVar: this.logVar.forward(h) };
  }

  /** The decoder's distribution p(x | z) for codes z [N, Z]: logits, or a mean and log-variance. */
  decoderOutput(z: Tensor): DecoderOutput {
    const y = this.decoder.forward(this.checkCode('decoderOutput', z));
    if (this.decoderType === 'bernoulli') return { kind: 'bernoulli', logits: y };
    if (this.outputVariance === 'learned') {
      const [m, lv] = chunk(y, 2, 1);
      return { kind: 'gaussian', mean: m, logVar: lv };
    }
    return { kind: 'gaussian', mean: y, logVar: Math.log(this.outputVariance as number) };
  }

  /** The mean of p(x | z) for codes z [N, Z]: probabilities σ(logits), or the Gaussian mean. [N, ...dataShape]. */
  decode(z: Tensor): Tensor {
    const out = this.decoderOutput(z);
    return out.kind === 'bernoulli' ? sigmoid(out.logits) : out.mean;
  }

  /** decode(mu(x)): the mean reconstruction of x (no sampling), shaped like x. */
  reconstruct(x: Tensor): Tensor {
    const y = this.decode(this.encode(x).mu);
    return y.shape.join() === x.shape.join() ? y : reshape(y, x.shape);
  }

  /** Same as `reconstruct(x)`. */
  forward(x: Tensor): Tensor {
    return this.reconstruct(x);
  }

  /** n draws from the model: decode(z) for z ~ N(0, I) from `generator` → [n, ...dataShape] (means of p(x | z)). */
  sample(n: number, options: { generator?: Generator } = {}): Tensor {
    checkPositiveInt('VAE.sample', 'n', n);
    const o = checkOptions('VAE.sample', options);
    return this.decode(randn([n, this.latentSize], { generator: o.generator as Generator | undefined }));
  }

  /** z = mu + exp(logVar/2)·ε, with ε given or drawn (the reparameterisation trick). */
  private reparameterize(fn: string, mu: Tensor, logVar: Tensor, o: VaeNoiseOptions): Tensor {
    const eps = o.eps ?? randn(mu.shape, { dtype: mu.dtype, generator: o.generator });
    if (!(eps instanceof TensorClass) || eps.shape.join() !== mu.shape.join()) {
      const got = eps instanceof TensorClass ? fmtShape(eps.shape) : describeValue(eps);
      throw new ShapeError(`VAE.${fn}: expected eps [${mu.shape.join(', ')}] ([N, latentSize]), got ${got}`);
    }
    return gaussianSample(mu, logVar, eps);
  }

  /**
   * The one-sample ELBO estimate of each example [N] (with its terms, the posterior, z and the
   * decoder's output): z = mu + exp(logVar/2)·ε, ELBO = log p(x | z) − KL.
   */
  elbo(x: Tensor, options: VaeElboOptions = {}): VaeElbo {
    const o = checkOptions('VAE.elbo', options) as VaeElboOptions;
    const xs = this.prepare('elbo', x);
    const { mu, logVar } = this.encode(xs);
    const z = this.reparameterize('elbo', mu, logVar, o);
    const decoded = this.decoderOutput(z);
    const terms = elbo({ x: xs, decoded, mu, logVar, z, kl: o.kl });
    return { ...terms, mu, logVar, z, decoded };
  }

  /** The loss of the step: the negative ELBO averaged over the batch, and its two terms' means. */
  negativeElbo(x: Tensor, options: VaeElboOptions = {}): VaeLoss {
    const terms = this.elbo(x, options);
    return { loss: mean(add(terms.recon, terms.kl)), recon: mean(terms.recon), kl: mean(terms.kl), terms };
  }

  /**
   * The importance-weighted bound L_k of each example [N] (Burda et al. 2016), a lower bound on
   * log p(x) that tightens as k grows: log (1/k) Σᵢ p(x | zᵢ)·p(zᵢ)/q(zᵢ | x), zᵢ ~ q(z | x). With
   * k = 1 and the same ε it equals `elbo(x, {kl: 'monteCarlo'})`. The k samples run as one batch
   * of k·N codes.
   */
  logLikelihood(x: Tensor, options: VaeLogLikelihoodOptions): Tensor {
    const o = checkOptions('VAE.logLikelihood', options);
    const k = checkPositiveInt('VAE.logLikelihood', 'k', o.k);
    const xs = this.prepare('logLikelihood', x);
    const { mu, logVar } = this.encode(xs);
    const [N, Z] = mu.shape;
    const eps =
      (o.eps as Tensor | undefined) ??
      randn([k, N, Z], { dtype: mu.dtype, generator: o.generator as Generator | undefined });
    if (!(eps instanceof TensorClass) || eps.shape.join() !== [k, N, Z].join()) {
      const got = eps instanceof TensorClass ? fmtShape(eps.shape) : describeValue(eps);
      throw new ShapeError(
        `VAE.logLikelihood: expected eps [${k}, ${N}, ${Z}] ([k, N, latentSize]), got ${got}`,
      );
    }
    const tile = (t: Tensor) =>
      reshape(expand(unsqueeze(t, 0), [k, ...t.shape]), [k * N, ...t.shape.slice(1)]);
    const muK = tile(mu);
    const logVarK = tile(logVar);
    const z = gaussianSample(muK, logVarK, reshape(eps, [k * N, Z]));
    const logW = importanceLogWeights(tile(xs), this.decoderOutput(z), z, muK, logVarK);
    return iwaeBound(reshape(logW, [k, N]));
  }

  /**
   * One step on `batch.x` (labels ignored): the negative ELBO with ε from `ctx.generator`,
   * minimised with `ctx.minimize`. Logs `loss` (= recon + kl), `recon` and `kl`, batch means.
   */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const { x } = checkBatch('VAE.trainStep', batch);
    const context = checkContext('VAE.trainStep', ctx);
    const { loss, recon, kl } = this.negativeElbo(x, { generator: context.generator });
    context.minimize(loss);
    return { loss, recon, kl };
  }

  /** The negative ELBO of `batch.x` (ε from `ctx.generator`), without an update: `loss`, `recon`, `kl`. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const { x } = checkBatch('VAE.evalStep', batch);
    const context = checkContext('VAE.evalStep', ctx);
    const { loss, recon, kl } = this.negativeElbo(x, { generator: context.generator });
    return { loss, recon, kl };
  }

  override config(): LayerConfig {
    const common = {
      latentSize: this.latentSize,
      activation: this.activation,
      decoder: this.decoderType,
      ...(this.outputVariance !== null ? { outputVariance: this.outputVariance } : {}),
    };
    return this.encoderType === 'mlp'
      ? { encoder: 'mlp', inputSize: this.inputSize, hiddenSizes: [...(this.hiddenSizes ?? [])], ...common }
      : {
          encoder: 'conv',
          inChannels: this.inChannels,
          imageSize: [...(this.imageSize ?? [])],
          channels: [...(this.channels ?? [])],
          kernelSize: this.kernelSize,
          ...common,
        };
  }

  static fromConfig(config: LayerConfig): VAE {
    return new VAE(config as unknown as VaeOptions);
  }
}

registerLayer('VAE', VAE);

/**
 * Builds a {@link VAE}. `vae({inputSize: 784, hiddenSizes: [400], latentSize: 20})` is Kingma &
 * Welling's MNIST model (Bernoulli decoder); `vae({encoder: 'conv', imageSize: 28, channels: [32,
 * 64], latentSize: 16})` a convolutional one; `decoder: 'gaussian'` models real-valued data. Init
 * is torch's default, from the default generator. Throws ValueError naming `vae` and the option.
 */
export function vae(options: VaeOptions): VAE {
  return new VAE(options);
}
