/**
 * The DCGAN geometry (Radford et al. 2016) shared by its generator and discriminator: every stage
 * is a 4×4 (transposed) convolution with stride 2 and padding 1, which exactly doubles (halves)
 * the image, so an image size is a start size times a power of two.
 */
import { checkPositiveInt, ValueError } from '@axon/tensor';

export interface DcganPlan {
  /** Height and width of the first (generator) / last (discriminator) feature map. */
  start: number;
  /** Stride-2 stages between it and the image (at least 1). */
  stages: number;
}

/**
 * Halves `imageSize` while it is even and the half is at least 4: 28 → 7 (2 stages), 32 → 4
 * (3 stages), 64 → 4 (4 stages), 8 → 4 (1 stage). Needs an even size of at least 8.
 */
export function dcganPlan(fn: string, imageSize: unknown): DcganPlan {
  const size = checkPositiveInt(fn, 'imageSize', imageSize);
  let start = size;
  let stages = 0;
  while (start % 2 === 0 && start / 2 >= 4) {
    start /= 2;
    stages++;
  }
  if (stages === 0) {
    throw new ValueError(
      `${fn}: expected imageSize to be an even integer >= 8 (a start size >= 4 times a power of two, e.g. 28, 32, 64), got number ${size}`,
    );
  }
  return { start, stages };
}

/** Channels of stage i's input, 0-based from the smallest map: features·2^(stages − 1 − i). */
export function stageWidth(features: number, stages: number, i: number): number {
  return features * 2 ** (stages - 1 - i);
}
