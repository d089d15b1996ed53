/**
 * What every autoencoder shares, whatever its layers: encode → decode, the reconstruction loss
 * (MSE or BCE-with-logits), the optional denoising transform, and the training step that `fit`
 * calls. The dense and convolutional autoencoders differ only in how they build `encoder` and
 * `decoder`.
 */
import { Module, type Sequential } from '@axon/layers';
import { sigmoid, type Tensor } from '@axon/tensor';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import type { ReconstructionLoss } from './loss';
import { reconstructionLoss } from './loss';
import { corrupt, type NoiseSpec } from './noise';

export abstract class AutoencoderBase extends Module implements SteppedModel {
  /** Maps an input to its code. */
  abstract readonly encoder: Sequential;
  /** Maps a code to the raw output: values for 'mse', logits for 'bce'. */
  abstract readonly decoder: Sequential;
  /** The reconstruction loss of the step: 'mse' or 'bce' (BCE with logits). */
  abstract readonly loss: ReconstructionLoss;
  /** The denoising transform applied to the input in `trainStep`, or null. */
  abstract readonly noise: NoiseSpec | null;

  /** The input as the encoder takes it (the dense autoencoder flattens it). */
  protected abstract prepare(x: Tensor): Tensor;
  /** The decoder's output shaped like the input x. */
  protected abstract restore(y: Tensor, x: Tensor): Tensor;

  /** The code of x. */
  encode(x: Tensor): Tensor {
    return this.encoder.forward(this.prepare(x));
  }

  /** A code decoded into data space: the output itself for 'mse', sigmoid(logits) for 'bce'. */
  decode(code: Tensor): Tensor {
    const y = this.decoder.forward(code);
    return this.loss === 'bce' ? sigmoid(y) : y;
  }

  /** The raw reconstruction of x (logits under 'bce'), shaped like x: what the loss compares with x. */
  forward(x: Tensor): Tensor {
    return this.restore(this.decoder.forward(this.encode(x)), x);
  }

  /** The reconstruction of x in data space (sigmoid applied under 'bce'), shaped like x. */
  reconstruct(x: Tensor): Tensor {
    const y = this.forward(x);
    return this.loss === 'bce' ? sigmoid(y) : y;
  }

  /** The reconstruction loss of `input` against the clean `target` (default: input itself). */
  reconstructionLoss(input: Tensor, target: Tensor = input): Tensor {
    return reconstructionLoss(this.forward(input), target, this.loss);
  }

  /**
   * One optimisation step on `batch.x` (labels, if any, are ignored): the denoising transform (if
   * any) corrupts the input, drawn from `ctx.generator`; the loss compares the reconstruction with
   * the clean input; `ctx.minimize` updates the parameters. Logs `loss`.
   */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const name = `${this.constructor.name}.trainStep`;
    const { x } = checkBatch(name, batch);
    const context = checkContext(name, ctx);
    const input = this.noise ? corrupt(x, this.noise, context.generator) : x;
    const loss = this.reconstructionLoss(input, x);
    context.minimize(loss);
    return { loss };
  }

  /** The reconstruction loss of the clean `batch.x` (no corruption, no update). Logs `loss`. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const name = `${this.constructor.name}.evalStep`;
    const { x } = checkBatch(name, batch);
    checkContext(name, ctx);
    return { loss: this.reconstructionLoss(x) };
  }
}
