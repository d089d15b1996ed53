/**
 * The stride-2 convolution stacks that the convolutional autoencoder and VAE share: an encoder of
 * `Conv2d(k, stride 2, padding (k−1)/2)` stages that roughly halves the image each time, and the
 * mirrored decoder of `ConvTranspose2d` stages whose output padding undoes the rounding, so that any
 * image size comes back exactly. Kept apart from the families so that both build the same layers.
 */
import { Conv2d, ConvTranspose2d, type Module } from '@axon/layers';
import { checkInteger, checkPositiveInt, ValueError } from '@axon/tensor';
import { show } from './args';
import { activationLayer, type MlpActivation } from './mlp';

/** An image size: one number for a square image, or [height, width]. */
export type ImageSizeOption = number | [number, number];

/** `imageSize` as [height, width], or a ValueError naming `fn`. */
export function checkImageSize(fn: string, v: unknown): [number, number] {
  if (typeof v === 'number') {
    const s = checkPositiveInt(fn, 'imageSize', v);
    return [s, s];
  }
  if (Array.isArray(v) && v.length === 2) {
    return [checkPositiveInt(fn, 'imageSize[0]', v[0]), checkPositiveInt(fn, 'imageSize[1]', v[1])];
  }
  throw new ValueError(
    `${fn}: expected imageSize to be a positive integer or [height, width], got ${show(v)}`,
  );
}

/** A non-empty list of positive integers (layer widths), or a ValueError naming `fn` and `name`. */
export function checkWidths(fn: string, name: string, v: unknown, { allowEmpty = false } = {}): number[] {
  if (!Array.isArray(v) || (!allowEmpty && v.length === 0)) {
    throw new ValueError(
      `${fn}: expected ${name} to be ${allowEmpty ? 'an' : 'a non-empty'} array of positive integers, got ${show(v)}`,
    );
  }
  return v.map((w, i) => checkPositiveInt(fn, `${name}[${i}]`, w));
}

/** An odd kernel size >= 1 (so that padding (k − 1)/2 keeps the stages symmetric). */
export function checkOddKernel(fn: string, v: unknown): number {
  const k = checkInteger(fn, 'kernelSize', v, { min: 1 });
  if (k % 2 === 0) throw new ValueError(`${fn}: expected kernelSize to be an odd integer, got number ${k}`);
  return k;
}

/** Spatial size after one stride-2 stage with an odd kernel and padding (k − 1)/2: ⌈s / 2⌉. */
export function halve(s: number): number {
  return Math.floor((s - 1) / 2) + 1;
}

export interface ConvStack {
  /** Conv2d stages with the activation after each. */
  encoder: Module[];
  /** ConvTranspose2d stages back to `outChannels` × H × W, activation between (none at the end). */
  decoder: Module[];
  /** The encoder's output [channels, height, width]. */
  featureShape: [number, number, number];
}

/**
 * Builds the encoder and decoder stages for images [N, inChannels, H, W]: stage i is
 * `Conv2d(cᵢ₋₁, cᵢ, k, stride 2, padding (k−1)/2) → act` (c₋₁ = inChannels), and the decoder
 * runs the stages backwards with `ConvTranspose2d(cᵢ, cᵢ₋₁, k, stride 2, padding (k−1)/2,
 * outputPadding sᵢ₋₁ − 2sᵢ + 1)`, ending at `outChannels` with no activation.
 */
export function convStack(
  inChannels: number,
  imageSize: [number, number],
  channels: readonly number[],
  kernelSize: number,
  activation: MlpActivation,
  outChannels: number,
): ConvStack {
  const padding = (kernelSize - 1) / 2;
  const sizes: [number, number][] = [imageSize];
  for (let i = 0; i < channels.length; i++) {
    const [h, w] = sizes[i];
    sizes.push([halve(h), halve(w)]);
  }
  const encoder: Module[] = [];
  channels.forEach((c, i) => {
    encoder.push(new Conv2d(i === 0 ? inChannels : channels[i - 1], c, kernelSize, { stride: 2, padding }));
    encoder.push(activationLayer(activation));
  });
  const decoder: Module[] = [];
  for (let i = channels.length - 1; i >= 0; i--) {
    const [H, W] = sizes[i];
    const [h, w] = sizes[i + 1];
    const out = i === 0 ? outChannels : channels[i - 1];
    decoder.push(
      new ConvTranspose2d(channels[i], out, kernelSize, {
        stride: 2,
        padding,
        outputPadding: [H - 2 * h + 1, W - 2 * w + 1],
      }),
    );
    if (i > 0) decoder.push(activationLayer(activation));
  }
  const [h, w] = sizes[channels.length];
  return { encoder, decoder, featureShape: [channels[channels.length - 1], h, w] };
}
