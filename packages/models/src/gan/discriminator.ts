/**
 * The DCGAN discriminator (Radford et al. 2016), also the WGAN-GP critic: 4×4 stride-2
 * convolutions with leaky ReLU halve the image down to a small map, and a Linear layer scores it.
 * A conditional one sees its label as extra input channels.
 */
import {
  BatchNorm2d,
  Conv2d,
  Embedding,
  Flatten,
  type LayerConfig,
  LayerNorm,
  LeakyReLU,
  Linear,
  Module,
  registerLayer,
  Sequential,
} from '@axon/layers';
import {
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  concat,
  describeValue,
  expand,
  fmtShape,
  oneHot,
  reshape,
  ShapeError,
  type Tensor,
  Tensor as TensorClass,
  ValueError,
} from '@axon/tensor';
import { type Conditioning, checkConditioning, checkLabels, type GanConditioning } from './conditioning';
import { type DcganPlan, dcganPlan, stageWidth } from './plan';

/** Normalisation after each inner convolution: 'batch' (DCGAN), 'layer' (WGAN-GP's advice) or 'none'. */
export const DISCRIMINATOR_NORMS = ['batch', 'layer', 'none'] as const;
export type DiscriminatorNorm = (typeof DISCRIMINATOR_NORMS)[number];

export interface DCGANDiscriminatorOptions {
  /** Height = width of the images, an even size >= 8 such as 28, 32 or 64 (default 28). */
  imageSize?: number;
  /** Image channels (default 1). */
  channels?: number;
  /** Channels of the first convolution; each later one doubles them (default 64). */
  features?: number;
  /** Normalisation after each inner convolution (default 'batch'). */
  norm?: DiscriminatorNorm;
  /**
   * Convolutions per feature-map size (default 1, DCGAN's): each extra one is a 3×3 stride-1
   * Conv2d → norm → LeakyReLU(0.2) that keeps the size and the channels.
   */
  depth?: number;
  /** Classes of a conditional discriminator (default none: unconditional). */
  numClasses?: number | null;
  /** How labels enter: 'embedding' (default: one learned H×W plane) or 'onehot' (numClasses constant planes). */
  conditioning?: GanConditioning;
  /**
   * Values of an InfoGAN categorical code (default none): a second head, Linear(features, codes),
   * reads the same features as the score and predicts which code drew a generated image (see
   * `forwardWithCodes`).
   */
  codes?: number | null;
}

/**
 * Registered as 'DCGANDiscriminator' (config: its options). With L stages, start size s and
 * cᵢ = features·2^i:
 *
 *     [x ⊕ label planes] → Conv2d(C + e, c₀, 4, stride 2, padding 1) → LeakyReLU(0.2)
 *       → (Conv2d(cᵢ₋₁, cᵢ, 4, stride 2, padding 1) → norm → LeakyReLU(0.2)) × (L − 1)
 *       → Flatten → Linear(c_{L−1}·s·s, 1)
 *
 * norm is BatchNorm2d, LayerNorm over [cᵢ, h, w] or nothing (the convolution then has a bias).
 * Label planes: e = 1 (a child `labelEmbedding` of width H·W, reshaped to a plane) or e =
 * numClasses (one-hot, broadcast over H×W); 0 when unconditional. With `depth` d > 1, d − 1 blocks
 * Conv2d(cᵢ, cᵢ, 3, stride 1, padding 1) → norm → LeakyReLU(0.2) follow each LeakyReLU above
 * (the first one's too: it is normalised like the inner ones). With `codes` K, a child
 * `codeHead` Linear(c_{L−1}·s·s, K) beside the last Linear (InfoGAN's Q network, sharing the rest).
 * `forward(x [N, channels, imageSize, imageSize], labels? [N]) → logits (or critic scores) [N, 1]`.
 */
export class DCGANDiscriminator extends Module {
  readonly imageSize: number;
  readonly channels: number;
  readonly features: number;
  readonly norm: DiscriminatorNorm;
  /** Convolutions per feature-map size. */
  readonly depth: number;
  readonly cond: Conditioning | null;
  readonly plan: DcganPlan;
  readonly labelEmbedding: Embedding | null;
  readonly net: Sequential;
  /** Values of the InfoGAN code the `codeHead` predicts, or null. */
  readonly codes: number | null;
  readonly codeHead: Linear | null;

  constructor(options: DCGANDiscriminatorOptions = {}) {
    super();
    const fn = 'dcganDiscriminator';
    const o = checkOptions(fn, options);
    this.plan = dcganPlan(fn, o.imageSize ?? 28);
    this.imageSize = (o.imageSize as number | undefined) ?? 28;
    this.channels = checkPositiveInt(fn, 'channels', o.channels ?? 1);
    this.features = checkPositiveInt(fn, 'features', o.features ?? 64);
    this.norm = checkOneOf(fn, 'norm', o.norm ?? 'batch', DISCRIMINATOR_NORMS);
    this.depth = checkPositiveInt(fn, 'depth', o.depth ?? 1);
    this.cond = checkConditioning(fn, o);
    const S = this.imageSize;
    this.labelEmbedding =
      this.cond?.conditioning === 'embedding'
        ? this.addModule('labelEmbedding', new Embedding(this.cond.numClasses, S * S))
        : null;
    const labelPlanes = !this.cond ? 0 : this.cond.conditioning === 'embedding' ? 1 : this.cond.numClasses;
    const { start: s, stages: L } = this.plan;
    const width = (i: number) => stageWidth(this.features, L, L - 1 - i);
    const layers: Module[] = [
      new Conv2d(this.channels + labelPlanes, width(0), 4, { stride: 2, padding: 1 }),
      new LeakyReLU(0.2),
    ];
    // A convolution (its bias only without a norm, which would cancel it), its norm, LeakyReLU.
    const block = (conv: (bias: boolean) => Conv2d, c: number, size: number) => {
      layers.push(conv(this.norm === 'none'));
      if (this.norm === 'batch') layers.push(new BatchNorm2d(c));
      else if (this.norm === 'layer') layers.push(new LayerNorm([c, size, size]));
      layers.push(new LeakyReLU(0.2));
    };
    const extraConvs = (c: number, size: number) => {
      for (let d = 1; d < this.depth; d++)
        block((bias) => new Conv2d(c, c, 3, { padding: 1, bias }), c, size);
    };
    extraConvs(width(0), S / 2);
    for (let i = 1; i < L; i++) {
      const size = S / 2 ** (i + 1);
      block((bias) => new Conv2d(width(i - 1), width(i), 4, { stride: 2, padding: 1, bias }), width(i), size);
      extraConvs(width(i), size);
    }
    layers.push(new Flatten(), new Linear(width(L - 1) * s * s, 1));
    this.net = this.addModule('net', new Sequential(...layers));
    this.codes = o.codes === undefined || o.codes === null ? null : checkPositiveInt(fn, 'codes', o.codes);
    this.codeHead = this.codes
      ? this.addModule('codeHead', new Linear(width(L - 1) * s * s, this.codes))
      : null;
  }

  /** Logits (critic scores) [N, 1] for images x [N, channels, imageSize, imageSize] (and labels [N]). */
  forward(x: Tensor, labels?: Tensor): Tensor {
    return this.net.forward(this.input(x, labels));
  }

  /**
   * The scores [N, 1] and the code head's logits [N, codes] for images x, from one pass through
   * the shared layers. Throws when the discriminator has no `codes`.
   */
  forwardWithCodes(x: Tensor, labels?: Tensor): { scores: Tensor; codeLogits: Tensor } {
    if (!this.codeHead) {
      throw new ValueError(
        'DCGANDiscriminator.forwardWithCodes: the discriminator has no code head (build it with codes)',
      );
    }
    const layers = this.net.layers;
    let h = this.input(x, labels);
    for (const layer of layers.slice(0, -1)) h = layer.forward(h);
    return { scores: (layers[layers.length - 1] as Linear).forward(h), codeLogits: this.codeHead.forward(h) };
  }

  /** x checked, with its label planes when conditional. */
  private input(x: Tensor, labels?: Tensor): Tensor {
    const S = this.imageSize;
    if (
      !(x instanceof TensorClass) ||
      x.rank !== 4 ||
      x.shape.slice(1).join() !== [this.channels, S, S].join()
    ) {
      const got = x instanceof TensorClass ? fmtShape(x.shape) : describeValue(x);
      throw new ShapeError(`DCGANDiscriminator: expected x [N, ${this.channels}, ${S}, ${S}], got ${got}`);
    }
    const N = x.shape[0];
    const y = checkLabels('DCGANDiscriminator', this.cond, labels, N);
    let input = x;
    if (this.cond && y) {
      const planes = this.labelEmbedding
        ? reshape(this.labelEmbedding.forward(y), [N, 1, S, S])
        : expand(reshape(oneHot(y, this.cond.numClasses, x.dtype), [N, this.cond.numClasses, 1, 1]), [
            N,
            this.cond.numClasses,
            S,
            S,
          ]);
      input = concat([x, planes], 1);
    }
    return input;
  }

  override config(): LayerConfig {
    return {
      imageSize: this.imageSize,
      channels: this.channels,
      features: this.features,
      norm: this.norm,
      ...(this.depth > 1 ? { depth: this.depth } : {}),
      numClasses: this.cond?.numClasses ?? null,
      ...(this.cond ? { conditioning: this.cond.conditioning } : {}),
      ...(this.codes ? { codes: this.codes } : {}),
    };
  }

  static fromConfig(config: LayerConfig): DCGANDiscriminator {
    return new DCGANDiscriminator(config as DCGANDiscriminatorOptions);
  }
}

registerLayer('DCGANDiscriminator', DCGANDiscriminator);

/** Builds a {@link DCGANDiscriminator}; throws ValueError naming `dcganDiscriminator` and the bad option. */
export function dcganDiscriminator(options: DCGANDiscriminatorOptions = {}): DCGANDiscriminator {
  return new DCGANDiscriminator(options);
}
