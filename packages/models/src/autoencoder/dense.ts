/**
 * The dense (fully connected) autoencoder: any number of hidden widths, mirrored in the decoder,
 * optionally with tied weights, optionally denoising. One builder covers the shallow, the deep and
 * the tied variants.
 */
import { type LayerConfig, Linear, type Module, registerLayer, Sequential } from '@axon/layers';
import {
  checkBoolean,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  fmtShape,
  reshape,
  ShapeError,
  type Tensor,
} from '@axon/tensor';
import { checkWidths } from '../conv_stages';
import { activationLayer, MLP_ACTIVATIONS, type MlpActivation } from '../mlp';
import { AutoencoderBase } from './base';
import { RECONSTRUCTION_LOSSES, type ReconstructionLoss } from './loss';
import { checkNoise, type NoiseSpec } from './noise';
import { TiedLinear } from './tied_linear';

/** The code layer's activation: 'none' (a linear code, the default) or one of the MLP's. */
export const LATENT_ACTIVATIONS = ['none', ...MLP_ACTIVATIONS] as const;
export type LatentActivation = (typeof LATENT_ACTIVATIONS)[number];

export interface DenseAutoencoderOptions {
  /** Values per example: x is [N, inputSize], or [N, ...] with that many values (it is flattened). */
  inputSize: number;
  /** Widths of the encoder's hidden layers, in order; the decoder mirrors them (default []). */
  hiddenSizes?: number[];
  /** Width of the code. */
  latentSize: number;
  /** Activation after each hidden layer, encoder and decoder (default 'relu'). */
  activation?: MlpActivation;
  /** Activation of the code (default 'none': a linear code). */
  latentActivation?: LatentActivation;
  /** Decoder layers use the transposed encoder weights, with their own biases (default false). */
  tied?: boolean;
  /** The reconstruction loss: 'mse' (default) or 'bce' (the decoder then outputs logits). */
  loss?: ReconstructionLoss;
  /** A denoising transform applied to the input in the training step (default null: none). */
  noise?: NoiseSpec | null;
}

/**
 * A dense autoencoder, registered as 'DenseAutoencoder' (config: its options), with children
 * `encoder` and `decoder`, both Sequentials. With sizes s = [inputSize, ...hiddenSizes, latentSize]:
 *
 *     encoder: Linear(s₀, s₁) → act → … → Linear(sₖ₋₁, sₖ) → [latentActivation]
 *     decoder: Linear(sₖ, sₖ₋₁) → act → … → act → Linear(s₁, s₀)
 *
 * With `tied`, each decoder Linear is a `TiedLinear` using the mirrored encoder weight transposed
 * (parameters: the encoder's weights and biases plus one bias per decoder layer). The decoder's
 * output has no activation: values for 'mse', logits for 'bce'.
 */
export class DenseAutoencoder extends AutoencoderBase {
  readonly inputSize: number;
  readonly hiddenSizes: readonly number[];
  readonly latentSize: number;
  readonly activation: MlpActivation;
  readonly latentActivation: LatentActivation;
  readonly tied: boolean;
  readonly loss: ReconstructionLoss;
  readonly noise: NoiseSpec | null;
  readonly encoder: Sequential;
  readonly decoder: Sequential;

  constructor(options: DenseAutoencoderOptions) {
    super();
    const fn = 'denseAutoencoder';
    const o = checkOptions(fn, options);
    this.inputSize = checkPositiveInt(fn, 'inputSize', o.inputSize);
    this.hiddenSizes = checkWidths(fn, 'hiddenSizes', o.hiddenSizes ?? [], { allowEmpty: true });
    this.latentSize = checkPositiveInt(fn, 'latentSize', o.latentSize);
    this.activation = checkOneOf(fn, 'activation', o.activation ?? 'relu', MLP_ACTIVATIONS);
    this.latentActivation = checkOneOf(
      fn,
      'latentActivation',
      o.latentActivation ?? 'none',
      LATENT_ACTIVATIONS,
    );
    this.tied = checkBoolean(fn, 'tied', o.tied ?? false);
    this.loss = checkOneOf(fn, 'loss', o.loss ?? 'mse', RECONSTRUCTION_LOSSES);
    this.noise = checkNoise(fn, o.noise);

    const sizes = [this.inputSize, ...this.hiddenSizes, this.latentSize];
    const linears = sizes.slice(1).map((out, i) => new Linear(sizes[i], out));
    const enc: Module[] = [];
    linears.forEach((l, i) => {
      enc.push(l);
      if (i < linears.length - 1) enc.push(activationLayer(this.activation));
      else if (this.latentActivation !== 'none') enc.push(activationLayer(this.latentActivation));
    });
    const dec: Module[] = [];
    for (let i = linears.length - 1; i >= 0; i--) {
      dec.push(this.tied ? new TiedLinear(linears[i]) : new Linear(sizes[i + 1], sizes[i]));
      if (i > 0) dec.push(activationLayer(this.activation));
    }
    this.encoder = this.addModule('encoder', new Sequential(...enc));
    this.decoder = this.addModule('decoder', new Sequential(...dec));
  }

  protected prepare(x: Tensor): Tensor {
    const per = x.shape.slice(1).reduce((a, d) => a * d, 1);
    if (x.rank < 2 || per !== this.inputSize) {
      throw new ShapeError(
        `DenseAutoencoder: expected x [N, ${this.inputSize}] (or [N, ...] with ${this.inputSize} values per example), got ${fmtShape(x.shape)}`,
      );
    }
    return x.rank === 2 ? x : reshape(x, [x.shape[0], this.inputSize]);
  }

  protected restore(y: Tensor, x: Tensor): Tensor {
    return x.rank === 2 ? y : reshape(y, x.shape);
  }

  override config(): LayerConfig {
    return {
      inputSize: this.inputSize,
      hiddenSizes: [...this.hiddenSizes],
      latentSize: this.latentSize,
      activation: this.activation,
      latentActivation: this.latentActivation,
      tied: this.tied,
      loss: this.loss,
      noise: this.noise ? { ...this.noise } : null,
    };
  }

  static fromConfig(config: LayerConfig): DenseAutoencoder {
    return new DenseAutoencoder(config as unknown as DenseAutoencoderOptions);
  }
}

registerLayer('DenseAutoencoder', DenseAutoencoder);

/**
 * Builds a {@link DenseAutoencoder}: `denseAutoencoder({inputSize: 784, hiddenSizes: [256, 64],
 * latentSize: 16, loss: 'bce', noise: {type: 'mask', p: 0.3}})` is a deep denoising autoencoder
 * for MNIST; `tied: true` ties the decoder to the encoder. Init is torch's default (U(±1/√fanIn))
 * from the default generator; tied decoder biases start at zero. Throws ValueError naming
 * `denseAutoencoder` and the bad option.
 */
export function denseAutoencoder(options: DenseAutoencoderOptions): DenseAutoencoder {
  return new DenseAutoencoder(options);
}
