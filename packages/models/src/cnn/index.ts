/**
 * Convolutional classifiers for small images: the Keras MNIST CNN and LeNet-5.
 */
import {
  AvgPool2d,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  Tanh,
} from '@axon/layers';
import { checkOneOf, checkOptions, checkPositiveInt, ValueError } from '@axon/tensor';
import { show } from '../args';

/** An image size: one number for a square image, or [height, width]. */
export type ImageSize = number | [number, number];

function imageSize(fn: string, v: unknown): [number, number] {
  if (typeof v === 'number') {
    const s = checkPositiveInt(fn, 'imageSize', v);
    return [s, s];
  }
  if (Array.isArray(v) && v.length === 2) {
    return [checkPositiveInt(fn, 'imageSize[0]', v[0]), checkPositiveInt(fn, 'imageSize[1]', v[1])];
  }
  throw new ValueError(`${fn}: imageSize must be a positive integer or [height, width], got ${show(v)}`);
}

/** Output size of a 'valid' convolution (stride 1) then a 2×2 max pool (stride 2, floor). */
function convPool(size: number, kernel: number): number {
  return Math.floor((size - kernel + 1) / 2);
}

export interface CnnOptions {
  /** Channels of the input images (default 1: grey). */
  inChannels?: number;
  /** Classes, i.e. logits out (default 10). */
  numClasses?: number;
  /** Height and width of the input (default 28, as MNIST); sets the first Dense layer's fan-in. */
  imageSize?: ImageSize;
}

/**
 * The CNN of the Keras MNIST example, as a `Sequential` of registered layers (save/load rebuild
 * it). Input [N, inChannels, H, W] (NCHW), output logits [N, numClasses]. For 28×28:
 *
 *     Conv2d(C, 32, 3) → ReLU → MaxPool2d(2)      [N, 32, 26, 26] → [N, 32, 13, 13]
 *     Conv2d(32, 64, 3) → ReLU → MaxPool2d(2)     [N, 64, 11, 11] → [N, 64, 5, 5]
 *     Flatten → Linear(1600, 64) → ReLU → Linear(64, numClasses)
 *
 * Parameters for 28×28×1 → 10: conv1 32·1·9 + 32 = 320, conv2 64·32·9 + 64 = 18,496, dense
 * 1600·64 + 64 = 102,464, out 64·10 + 10 = 650; total 121,930 (Keras' model.summary() agrees).
 * In general 288·C + 32 + 18,496 + (64·h·w + 1)·64 + 65·numClasses, with h, w the spatial size
 * after the second pool. Init is torch's default (kaiming uniform a = √5, bias U(±1/√fanIn)),
 * from the default generator. Throws ValueError naming `cnn` for bad options, including an image
 * too small for two conv/pool stages (at least 10×10).
 */
export function cnn(options: CnnOptions = {}): Sequential {
  const o = checkOptions('cnn', options);
  const inChannels = checkPositiveInt('cnn', 'inChannels', o.inChannels ?? 1);
  const numClasses = checkPositiveInt('cnn', 'numClasses', o.numClasses ?? 10);
  const [H, W] = imageSize('cnn', o.imageSize ?? 28);
  const h = convPool(convPool(H, 3), 3);
  const w = convPool(convPool(W, 3), 3);
  if (h < 1 || w < 1) {
    throw new ValueError(
      `cnn: imageSize ${H}×${W} is too small for two 3×3 conv + 2×2 pool stages (need at least 10×10)`,
    );
  }
  return new Sequential(
    new Conv2d(inChannels, 32, 3),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(64 * h * w, 64),
    new ReLU(),
    new Linear(64, numClasses),
  );
}

export interface LeNet5Options {
  /** Classes, i.e. logits out (default 10). */
  numClasses?: number;
  /** Channels of the input images (default 1). */
  inChannels?: number;
  /** 'relu' (default, the modern choice) or 'tanh' (LeCun et al., 1998). */
  activation?: 'relu' | 'tanh';
  /** 'max' (default) or 'avg' (the original's subsampling, without its trainable scale). */
  pooling?: 'max' | 'avg';
}

/**
 * LeNet-5 for 28×28 inputs (MNIST), as in the PyTorch and d2l versions: the first convolution
 * pads by 2 so that 28×28 behaves as the original's 32×32. A `Sequential` of registered layers:
 *
 *     Conv2d(C, 6, 5, padding 2) → act → pool 2      [N, 6, 28, 28] → [N, 6, 14, 14]
 *     Conv2d(6, 16, 5) → act → pool 2                [N, 16, 10, 10] → [N, 16, 5, 5]
 *     Flatten → Linear(400, 120) → act → Linear(120, 84) → act → Linear(84, numClasses)
 *
 * Parameters for 1 channel → 10 classes: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706. Input
 * [N, inChannels, 28, 28], output logits [N, numClasses]; torch's default init.
 */
export function lenet5(options: LeNet5Options = {}): Sequential {
  const o = checkOptions('lenet5', options);
  const numClasses = checkPositiveInt('lenet5', 'numClasses', o.numClasses ?? 10);
  const inChannels = checkPositiveInt('lenet5', 'inChannels', o.inChannels ?? 1);
  const activation = checkOneOf('lenet5', 'activation', o.activation ?? 'relu', ['relu', 'tanh'] as const);
  const pooling = checkOneOf('lenet5', 'pooling', o.pooling ?? 'max', ['max', 'avg'] as const);
  const act = (): Module => (activation === 'relu' ? new ReLU() : new Tanh());
  const pool = (): Module => (pooling === 'max' ? new MaxPool2d(2) : new AvgPool2d(2));
  return new Sequential(
    new Conv2d(inChannels, 6, 5, { padding: 2 }),
    act(),
    pool(),
    new Conv2d(6, 16, 5),
    act(),
    pool(),
    new Flatten(),
    new Linear(16 * 5 * 5, 120),
    act(),
    new Linear(120, 84),
    act(),
    new Linear(84, numClasses),
  );
}
