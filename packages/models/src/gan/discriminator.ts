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
  /** Classes of a conditional discriminator (default none: unconditional). */
  numClasses?: number | null;
  /** How labels enter: 'embedding' (default: one learned H×W plane) or 'onehot' (numClasses constant planes). */
  conditioning?: GanConditioning;
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
 * numClasses (one-hot, broadcast over H×W); 0 when unconditional.
 * `forward(x [N, channels, imageSize, imageSize], labels? [N]) → logits (or critic scores) [N, 1]`.
 */
export class DCGANDiscriminator extends Module {
  readonly imageSize: number;
  readonly channels: number;
  readonly features: number;
  readonly norm: DiscriminatorNorm;
  readonly cond: Conditioning | null;
  readonly plan: DcganPlan;
  readonly labelEmbedding: Embedding | null;
  readonly net: Sequential;

  constructor(options: DCGANDiscriminatorOptions = {}) {
    super();
    const fn = 'dcganDiscriminator';
    const o = checkOptions(fn, options);
    this.plan = dcganPlan(fn, o.imageSize ?? 28);
    this.imageSize = (o.imageSize as number | undefined) ?? 28;
    this.channels = checkPositiveInt(fn, 'channels', o.channels ?? 1);
    this.features = checkPositiveInt(fn, 'features', o.features ?? 64);
    this.norm = checkOneOf(fn, 'norm', o.norm ?? 'batch', DISCRIMINATOR_NORMS);
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
    for (let i = 1; i < L; i++) {
      const size = S / 2 ** (i + 1);
      layers.push(
        new Conv2d(width(i - 1), width(i), 4, { stride: 2, padding: 1, bias: this.norm === 'none' }),
      );
      if (this.norm === 'batch') layers.push(new BatchNorm2d(width(i)));
      else if (this.norm === 'layer') layers.push(new LayerNorm([width(i), size, size]));
      layers.push(new LeakyReLU(0.2));
    }
    layers.push(new Flatten(), new Linear(width(L - 1) * s * s, 1));
    this.net = this.addModule('net', new Sequential(...layers));
  }

  /** Logits (critic scores) [N, 1] for images x [N, channels, imageSize, imageSize] (and labels [N]). */
  forward(x: Tensor, labels?: Tensor): Tensor {
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
    return this.net.forward(input);
  }

  override config(): LayerConfig {
    return {
      imageSize: this.imageSize,
      channels: this.channels,
      features: this.features,
      norm: this.norm,
      numClasses: this.cond?.numClasses ?? null,
      ...(this.cond ? { conditioning: this.cond.conditioning } : {}),
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
