/**
 * The DCGAN generator (Radford et al. 2016), optionally class-conditional: noise (and a label) is
 * projected to a small feature map, then 4×4 stride-2 transposed convolutions with batch norm and
 * ReLU double it up to the image, and tanh bounds the pixels to [−1, 1].
 */
import {
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Embedding,
  type LayerConfig,
  Linear,
  Module,
  ReLU,
  Reshape,
  registerLayer,
  Sequential,
  Tanh,
} from '@axon/layers';
import {
  checkOptions,
  checkPositiveInt,
  concat,
  describeValue,
  fmtShape,
  oneHot,
  ShapeError,
  type Tensor,
  Tensor as TensorClass,
  ValueError,
} from '@axon/tensor';
import { type Conditioning, checkConditioning, checkLabels, type GanConditioning } from './conditioning';
import { type DcganPlan, dcganPlan, stageWidth } from './plan';

export interface DCGANGeneratorOptions {
  /** Dimensions of the noise z (default 100). */
  latentSize?: number;
  /** Height = width of the images, an even size >= 8 such as 28, 32 or 64 (default 28). */
  imageSize?: number;
  /** Image channels (default 1). */
  channels?: number;
  /** Channels of the last hidden stage; each earlier stage doubles them (default 64). */
  features?: number;
  /** Classes of a conditional generator (default none: unconditional). */
  numClasses?: number | null;
  /** How labels enter: 'embedding' (default) or 'onehot'. */
  conditioning?: GanConditioning;
  /** Width of the label embedding (default numClasses); 'embedding' only. */
  embeddingDim?: number;
  /**
   * Convolutions per feature-map size (default 1, DCGAN's): each extra one is a 3×3 stride-1
   * Conv2d → BatchNorm2d → ReLU that keeps the size and the channels.
   */
  depth?: number;
}

/**
 * Registered as 'DCGANGenerator' (config: its options). With L stages from a start size s
 * (28 → s = 7, L = 2; 32 → s = 4, L = 3) and cᵢ = features·2^(L−1−i):
 *
 *     [z ⊕ label] → Linear(Z + e, c₀·s·s) → BatchNorm1d → ReLU → Reshape([c₀, s, s])
 *       → (ConvTranspose2d(cᵢ, cᵢ₊₁, 4, stride 2, padding 1, no bias) → BatchNorm2d → ReLU) × (L − 1)
 *       → ConvTranspose2d(c_{L−1}, channels, 4, stride 2, padding 1) → Tanh
 *
 * e is embeddingDim (a child `labelEmbedding`, N(0, 1) init) or numClasses (one-hot); 0 when
 * unconditional. With `depth` d > 1, d − 1 blocks Conv2d(c, c, 3, stride 1, padding 1, no bias) →
 * BatchNorm2d → ReLU follow the Reshape and each hidden ConvTranspose2d's ReLU. `forward(z [N, latentSize], labels? [N]) → [N, channels, imageSize, imageSize]`.
 */
export class DCGANGenerator extends Module {
  readonly latentSize: number;
  readonly imageSize: number;
  readonly channels: number;
  readonly features: number;
  readonly cond: Conditioning | null;
  readonly embeddingDim: number | null;
  /** Convolutions per feature-map size. */
  readonly depth: number;
  readonly plan: DcganPlan;
  readonly labelEmbedding: Embedding | null;
  readonly net: Sequential;

  constructor(options: DCGANGeneratorOptions = {}) {
    super();
    const fn = 'dcganGenerator';
    const o = checkOptions(fn, options);
    this.latentSize = checkPositiveInt(fn, 'latentSize', o.latentSize ?? 100);
    this.plan = dcganPlan(fn, o.imageSize ?? 28);
    this.imageSize = (o.imageSize as number | undefined) ?? 28;
    this.channels = checkPositiveInt(fn, 'channels', o.channels ?? 1);
    this.features = checkPositiveInt(fn, 'features', o.features ?? 64);
    this.depth = checkPositiveInt(fn, 'depth', o.depth ?? 1);
    this.cond = checkConditioning(fn, o);
    if (this.cond?.conditioning === 'embedding') {
      this.embeddingDim = checkPositiveInt(fn, 'embeddingDim', o.embeddingDim ?? this.cond.numClasses);
    } else if (o.embeddingDim !== undefined && o.embeddingDim !== null) {
      throw new ValueError(
        `${fn}: embeddingDim applies to conditioning 'embedding' only, got embeddingDim ${describeValue(o.embeddingDim)}`,
      );
    } else {
      this.embeddingDim = null;
    }
    this.labelEmbedding =
      this.cond && this.embeddingDim !== null
        ? this.addModule('labelEmbedding', new Embedding(this.cond.numClasses, this.embeddingDim))
        : null;
    const labelWidth = this.cond ? (this.embeddingDim ?? this.cond.numClasses) : 0;
    const { start: s, stages: L } = this.plan;
    const c0 = stageWidth(this.features, L, 0);
    const layers: Module[] = [
      new Linear(this.latentSize + labelWidth, c0 * s * s),
      new BatchNorm1d(c0 * s * s),
      new ReLU(),
      new Reshape([c0, s, s]),
    ];
    const extraConvs = (c: number) => {
      for (let d = 1; d < this.depth; d++) {
        layers.push(new Conv2d(c, c, 3, { padding: 1, bias: false }), new BatchNorm2d(c), new ReLU());
      }
    };
    extraConvs(c0);
    for (let i = 0; i < L - 1; i++) {
      const out = stageWidth(this.features, L, i + 1);
      layers.push(
        new ConvTranspose2d(stageWidth(this.features, L, i), out, 4, { stride: 2, padding: 1, bias: false }),
        new BatchNorm2d(out),
        new ReLU(),
      );
      extraConvs(out);
    }
    layers.push(
      new ConvTranspose2d(stageWidth(this.features, L, L - 1), this.channels, 4, { stride: 2, padding: 1 }),
      new Tanh(),
    );
    this.net = this.addModule('net', new Sequential(...layers));
  }

  /** Images [N, channels, imageSize, imageSize] in [−1, 1] for noise z [N, latentSize] (and labels [N]). */
  forward(z: Tensor, labels?: Tensor): Tensor {
    if (!(z instanceof TensorClass) || z.rank !== 2 || z.shape[1] !== this.latentSize) {
      const got = z instanceof TensorClass ? fmtShape(z.shape) : describeValue(z);
      throw new ShapeError(`DCGANGenerator: expected z [N, ${this.latentSize}], got ${got}`);
    }
    const y = checkLabels('DCGANGenerator', this.cond, labels, z.shape[0]);
    let input = z;
    if (this.cond && y) {
      const code = this.labelEmbedding
        ? this.labelEmbedding.forward(y)
        : oneHot(y, this.cond.numClasses, z.dtype);
      input = concat([z, code], 1);
    }
    return this.net.forward(input);
  }

  override config(): LayerConfig {
    return {
      latentSize: this.latentSize,
      imageSize: this.imageSize,
      channels: this.channels,
      features: this.features,
      numClasses: this.cond?.numClasses ?? null,
      ...(this.cond ? { conditioning: this.cond.conditioning } : {}),
      ...(this.embeddingDim !== null ? { embeddingDim: this.embeddingDim } : {}),
      ...(this.depth > 1 ? { depth: this.depth } : {}),
    };
  }

  static fromConfig(config: LayerConfig): DCGANGenerator {
    return new DCGANGenerator(config as DCGANGeneratorOptions);
  }
}

registerLayer('DCGANGenerator', DCGANGenerator);

/** Builds a {@link DCGANGenerator}; throws ValueError naming `dcganGenerator` and the bad option. */
export function dcganGenerator(options: DCGANGeneratorOptions = {}): DCGANGenerator {
  return new DCGANGenerator(options);
}
