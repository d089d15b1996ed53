/** Spatial resizing of NCHW images (torch.nn.functional.interpolate, 2-D), on the Resize kernel. */
import { fmtShape, ShapeError, ValueError } from '../errors';
import { Resize, type ResizeAttrs, ResizeBackward, type ResizeBackwardAttrs } from '../kernels';
import type { Tensor } from '../tensor';
import { assertImage } from './image_args';
import { assertDType, assertFloat, assertTensor, describe, op, run } from './util';

export interface UpsampleOptions {
  /** The output [H, W]. Give exactly one of size and scaleFactor. */
  size?: readonly [number, number];
  /** Output size = floor(input size · scaleFactor), per axis. */
  scaleFactor?: number | readonly [number, number];
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: map corner pixel centres onto each other (default false). */
  alignCorners?: boolean;
}

function outputSize(name: string, x: Tensor, opts: UpsampleOptions): [number, number] {
  const { size, scaleFactor } = opts;
  if ((size === undefined) === (scaleFactor === undefined)) {
    throw new ValueError(
      `${name}: expected exactly one of size and scaleFactor, got ${size === undefined ? 'neither' : 'both'}`,
    );
  }
  if (size !== undefined) {
    if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new ValueError(
        `${name}: expected size to be two integers >= 1 [H, W], got ${Array.isArray(size) ? `[${size.join(', ')}]` : describe(size)}`,
      );
    }
    return [size[0], size[1]];
  }
  const scale = typeof scaleFactor === 'number' ? [scaleFactor, scaleFactor] : scaleFactor;
  if (
    !Array.isArray(scale) ||
    scale.length !== 2 ||
    !scale.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)
  ) {
    throw new ValueError(
      `${name}: expected scaleFactor to be a positive number or a pair of them, got ${Array.isArray(scaleFactor) ? `[${scaleFactor.join(', ')}]` : describe(scaleFactor)}`,
    );
  }
  const out: [number, number] = [Math.floor(x.shape[2] * scale[0]), Math.floor(x.shape[3] * scale[1])];
  if (out[0] < 1 || out[1] < 1) {
    throw new ShapeError(
      `${name}: scaleFactor [${scale.join(', ')}] turns x ${fmtShape(x.shape)} into an empty ${out[0]}×${out[1]} image`,
    );
  }
  return out;
}

/**
 * torch.nn.functional.interpolate for 4-D input. 'nearest' reads x at floor(dst · in / out);
 * 'bilinear' follows torch exactly for both alignCorners settings.
 *
 * Source coordinates are computed from the sizes (in / out), as torch does when given `size` or
 * `recompute_scale_factor=True`. With a `scaleFactor` torch by default maps through 1 / scaleFactor
 * instead; the two agree whenever input size · scaleFactor is a whole number (e.g. ×2).
 */
export const upsample = op((x: Tensor, opts: UpsampleOptions = {}): Tensor => {
  const name = 'upsample';
  assertTensor(name, x);
  assertImage(name, x);
  const { mode = 'nearest', alignCorners = false } = opts;
  if (mode !== 'nearest' && mode !== 'bilinear') {
    throw new ValueError(`${name}: expected mode 'nearest' or 'bilinear', got ${describe(mode)}`);
  }
  if (typeof alignCorners !== 'boolean') {
    throw new ValueError(`${name}: expected alignCorners to be a boolean, got ${describe(alignCorners)}`);
  }
  if (mode === 'nearest' && alignCorners) {
    throw new ValueError(`${name}: alignCorners can only be set with mode 'bilinear'`);
  }
  if (mode === 'bilinear') assertFloat(name, x);
  else assertDType(name, x, ['float32', 'float64', 'int32']);
  if (x.shape[2] < 1 || x.shape[3] < 1) {
    throw new ShapeError(`${name}: expected H and W >= 1, got x ${fmtShape(x.shape)}`);
  }
  const attrs: ResizeAttrs = { mode, size: outputSize(name, x, opts), alignCorners };
  return run(Resize, [x], attrs);
});

/** Low-level: the gradient of Resize with respect to its input, of shape attrs.inputShape (used by autograd). */
export const resizeBackward = op((dy: Tensor, attrs: ResizeBackwardAttrs): Tensor => {
  const name = 'resizeBackward';
  assertTensor(name, dy, 'dy');
  assertFloat(name, dy, 'dy');
  const [n, c] = attrs.inputShape;
  const expected = [n, c, attrs.size[0], attrs.size[1]];
  if (dy.shape.join() !== expected.join()) {
    throw new ShapeError(`${name}: expected dy of shape ${fmtShape(expected)}, got ${fmtShape(dy.shape)}`);
  }
  const { mode, size, alignCorners, inputShape } = attrs;
  return run(ResizeBackward, [dy], { mode, size: [...size], alignCorners, inputShape: [...inputShape] });
});
