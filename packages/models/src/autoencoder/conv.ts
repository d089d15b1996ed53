/**
 * The convolutional autoencoder: stride-2 Conv2d stages down, ConvTranspose2d stages back up,
 * optionally through a dense code in the middle. For images [N, C, H, W] of any size.
 */
import {
  Flatten,
  type LayerConfig,
  Linear,
  type Module,
  Reshape,
  registerLayer,
  Sequential,
} from '@axon/layers';
import { checkOneOf, checkOptions, checkPositiveInt, fmtShape, ShapeError, type Tensor } from '@axon/tensor';
import { checkImageSize, checkOddKernel, checkWidths, convStack, type ImageSizeOption } from '../conv_stages';
import { activationLayer, MLP_ACTIVATIONS, type MlpActivation } from '../mlp';
import { AutoencoderBase } from './base';
import { RECONSTRUCTION_LOSSES, type ReconstructionLoss } from './loss';
import { checkNoise, type NoiseSpec } from './noise';

export interface ConvAutoencoderOptions {
  /** Channels of the images (default 1). */
  inChannels?: number;
  /** Height and width of the images: a number or [height, width] (default 28). */
  imageSize?: ImageSizeOption;
  /** Output channels of each stride-2 Conv2d stage, in order (default [16, 32]). */
  channels?: number[];
  /** Kernel size of every convolution, odd (default 3). */
  kernelSize?: number;
  /**
   * Width of a dense code between encoder and decoder (Flatten → Linear, and Linear → act →
   * Reshape back). Default: none, the code is the last feature map [channels.at(-1), h, w].
   */
  latentSize?: number | null;
  /** Activation after every stage but the last decoder one (default 'relu'). */
  activation?: MlpActivation;
  /** The reconstruction loss: 'mse' (default) or 'bce' (the decoder then outputs logits). */
  loss?: ReconstructionLoss;
  /** A denoising transform applied to the input in the training step (default null: none). */
  noise?: NoiseSpec | null;
}

/**
 * A convolutional autoencoder, registered as 'ConvAutoencoder' (config: its options), children
 * `encoder` and `decoder` (Sequentials). With p = (k − 1)/2 and cᵢ = channels[i]:
 *
 *     encoder: Conv2d(C, c₀, k, stride 2, padding p) → act → … → Conv2d(cₗ₋₂, cₗ₋₁, …) → act
 *              [→ Flatten → Linear(cₗ₋₁·h·w, latentSize)]
 *     decoder: [Linear(latentSize, cₗ₋₁·h·w) → act → Reshape([cₗ₋₁, h, w]) →]
 *              ConvTranspose2d(cₗ₋₁, cₗ₋₂, k, stride 2, padding p, outputPadding) → act → … →
 *              ConvTranspose2d(c₀, C, …)
 *
 * Each stage maps a size s to ⌈s/2⌉; the output padding (0 or 1 per axis) brings every size back,
 * so the reconstruction has the input's shape for any H, W. No activation at the end: values for
 * 'mse', logits for 'bce'.
 */
export class ConvAutoencoder extends AutoencoderBase {
  readonly inChannels: number;
  readonly imageSize: [number, number];
  readonly channels: readonly number[];
  readonly kernelSize: number;
  readonly latentSize: number | null;
  readonly activation: MlpActivation;
  readonly loss: ReconstructionLoss;
  readonly noise: NoiseSpec | null;
  readonly encoder: Sequential;
  readonly decoder: Sequential;

  constructor(options: ConvAutoencoderOptions = {}) {
    super();
    const fn = 'convAutoencoder';
    const o = checkOptions(fn, options);
    this.inChannels = checkPositiveInt(fn, 'inChannels', o.inChannels ?? 1);
    this.imageSize = checkImageSize(fn, o.imageSize ?? 28);
    this.channels = checkWidths(fn, 'channels', o.channels ?? [16, 32]);
    this.kernelSize = checkOddKernel(fn, o.kernelSize ?? 3);
    this.latentSize =
      o.latentSize === undefined || o.latentSize === null
        ? null
        : checkPositiveInt(fn, 'latentSize', o.latentSize);
    this.activation = checkOneOf(fn, 'activation', o.activation ?? 'relu', MLP_ACTIVATIONS);
    this.loss = checkOneOf(fn, 'loss', o.loss ?? 'mse', RECONSTRUCTION_LOSSES);
    this.noise = checkNoise(fn, o.noise);

    const stack = convStack(
      this.inChannels,
      this.imageSize,
      this.channels,
      this.kernelSize,
      this.activation,
      this.inChannels,
    );
    const enc: Module[] = [...stack.encoder];
    const dec: Module[] = [];
    if (this.latentSize !== null) {
      const flat = stack.featureShape.reduce((a, d) => a * d, 1);
      enc.push(new Flatten(), new Linear(flat, this.latentSize));
      dec.push(
        new Linear(this.latentSize, flat),
        activationLayer(this.activation),
        new Reshape(stack.featureShape),
      );
    }
    dec.push(...stack.decoder);
    this.encoder = this.addModule('encoder', new Sequential(...enc));
    this.decoder = this.addModule('decoder', new Sequential(...dec));
  }

  protected prepare(x: Tensor): Tensor {
    const [H, W] = this.imageSize;
    const C = this.inChannels;
    if (x.rank !== 4 || x.shape[1] !== C || x.shape[2] !== H || x.shape[3] !== W) {
      throw new ShapeError(`ConvAutoencoder: expected x [N, ${C}, ${H}, ${W}], got ${fmtShape(x.shape)}`);
    }
    return x;
  }

  protected restore(y: Tensor): Tensor {
    return y;
  }

  override config(): LayerConfig {
    return {
      inChannels: this.inChannels,
      imageSize: [...this.imageSize],
      channels: [...this.channels],
      kernelSize: this.kernelSize,
      latentSize: this.latentSize,
      activation: this.activation,
      loss: this.loss,
      noise: this.noise ? { ...this.noise } : null,
    };
  }

  static fromConfig(config: LayerConfig): ConvAutoencoder {
    return new ConvAutoencoder(config as unknown as ConvAutoencoderOptions);
  }
}

registerLayer('ConvAutoencoder', ConvAutoencoder);

/**
 * Builds a {@link ConvAutoencoder}: `convAutoencoder({imageSize: 28, channels: [16, 32],
 * latentSize: 32, loss: 'bce'})` maps MNIST [N, 1, 28, 28] through 14×14 and 7×7 feature maps to
 * a 32-value code and back. Init is torch's default, from the default generator. Throws
 * ValueError naming `convAutoencoder` and the bad option.
 */
export function convAutoencoder(options: ConvAutoencoderOptions = {}): ConvAutoencoder {
  return new ConvAutoencoder(options);
}
