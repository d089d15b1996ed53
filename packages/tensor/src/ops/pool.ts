/**
 * 2-D pooling over NCHW images (torch semantics, floor mode), all on the Pool2D kernel. Max and
 * min pooling also produce the int32 index (h * W + w in the input plane) of each window's
 * winner; the gradient routes through it.
 */
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import { Pool2D, type Pool2DAttrs, Pool2DBackward, type Pool2DBackwardAttrs } from '../kernels';
import type { Tensor } from '../tensor';
import { assertImage, type Pair, pairOf } from './image_args';
import { assertDType, assertFloat, assertTensor, describe, op, run, runMulti } from './util';

export interface Pool2dOptions {
  kernelSize: Pair;
  /** Defaults to kernelSize. */
  stride?: Pair;
  /** Implicit padding on each side; at most half the kernel. Padding never wins a max/min. */
  padding?: Pair;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded cells count in the divisor (default true, like torch). */
  countIncludePad?: boolean;
}

/** Validates x and the options and builds the Pool2D attrs. */
function poolAttrs(
  name: string,
  x: Tensor,
  opts: Pool2dOptions,
  mode: Pool2DAttrs['mode'],
  countIncludePad: boolean,
): Pool2DAttrs {
  assertTensor(name, x);
  assertImage(name, x);
  if (mode === 'avg') assertFloat(name, x);
  else assertDType(name, x, ['float32', 'float64', 'int32']);
  if (!opts || typeof opts !== 'object') {
    throw new ValueError(`${name}: expected an options object with kernelSize, got ${describe(opts)}`);
  }
  const kernel = pairOf(name, 'kernelSize', opts.kernelSize, 1);
  const stride = pairOf(name, 'stride', opts.stride ?? kernel, 1);
  const padding = pairOf(name, 'padding', opts.padding ?? 0, 0);
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new ValueError(
      `${name}: padding [${padding.join(', ')}] must be at most half of kernelSize [${kernel.join(', ')}]`,
    );
  }
  const [, , h, w] = x.shape;
  const oH = Math.floor((h + 2 * padding[0] - kernel[0]) / stride[0]) + 1;
  const oW = Math.floor((w + 2 * padding[1] - kernel[1]) / stride[1]) + 1;
  if (oH < 1 || oW < 1) {
    throw new ShapeError(
      `${name}: output would be ${oH}×${oW}: x ${fmtShape(x.shape)} with padding [${padding.join(', ')}] is smaller than kernelSize [${kernel.join(', ')}]`,
    );
  }
  return { mode, kernel, stride, pad: [padding[0], padding[0], padding[1], padding[1]], countIncludePad };
}

/** torch.nn.functional.max_pool2d on x [N, C, H, W]. */
export const maxPool2d = op((x: Tensor, opts: Pool2dOptions): Tensor => {
  return runMulti(Pool2D, [x], poolAttrs('maxPool2d', x, opts, 'max', true))[0];
});

/** max_pool2d with return_indices: indices (int32) are flat h * W + w positions in each input plane. */
export const maxPool2dWithIndices = op(
  (x: Tensor, opts: Pool2dOptions): { values: Tensor; indices: Tensor } => {
    const [values, indices] = runMulti(Pool2D, [x], poolAttrs('maxPool2dWithIndices', x, opts, 'max', true));
    return { values, indices };
  },
);

/** Min pooling: the smallest value of each window (padding never wins); ties pick the first cell. */
export const minPool2d = op((x: Tensor, opts: Pool2dOptions): Tensor => {
  return runMulti(Pool2D, [x], poolAttrs('minPool2d', x, opts, 'min', true))[0];
});

/** torch.nn.functional.avg_pool2d (floor mode); countIncludePad defaults to true, like torch. */
export const avgPool2d = op((x: Tensor, opts: AvgPool2dOptions): Tensor => {
  const countIncludePad = opts?.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean') {
    throw new ValueError(
      `avgPool2d: expected countIncludePad to be a boolean, got ${describe(countIncludePad)}`,
    );
  }
  return run(Pool2D, [x], poolAttrs('avgPool2d', x, opts, 'avg', countIncludePad));
});

/** The mean over H and W: [N, C, H, W] → [N, C, 1, 1] (adaptive_avg_pool2d(x, 1)). */
export const globalAvgPool2d = op((x: Tensor): Tensor => {
  const name = 'globalAvgPool2d';
  assertTensor(name, x);
  assertImage(name, x);
  assertFloat(name, x);
  const [, , h, w] = x.shape;
  if (h < 1 || w < 1) throw new ShapeError(`${name}: expected H and W >= 1, got x ${fmtShape(x.shape)}`);
  const attrs: Pool2DAttrs = {
    mode: 'avg',
    kernel: [h, w],
    stride: [h, w],
    pad: [0, 0, 0, 0],
    countIncludePad: true,
  };
  return run(Pool2D, [x], attrs);
});

/** Low-level: Pool2D with kernel attrs as they are (used by autograd for the adjoint of avg pooling's backward). */
export const pool2dWithAttrs = op((x: Tensor, attrs: Pool2DAttrs): Tensor => {
  assertTensor('pool2dWithAttrs', x);
  const { mode, kernel, stride, pad, countIncludePad } = attrs;
  return runMulti(Pool2D, [x], {
    mode,
    kernel: [...kernel],
    stride: [...stride],
    pad: [...pad],
    countIncludePad,
  })[0];
});

/**
 * Low-level: the gradient of Pool2D with respect to its input (used by autograd). `indices` is
 * the forward's second output for max/min, and null for avg.
 */
export const pool2dBackward = op((dy: Tensor, indices: Tensor | null, attrs: Pool2DBackwardAttrs): Tensor => {
  const name = 'pool2dBackward';
  assertTensor(name, dy, 'dy');
  const [n, c, h, w] = attrs.inputShape;
  const [kH, kW] = attrs.kernel;
  const [sH, sW] = attrs.stride;
  const [pT, pB, pL, pR] = attrs.pad;
  const expected = [n, c, Math.floor((h + pT + pB - kH) / sH) + 1, Math.floor((w + pL + pR - kW) / sW) + 1];
  if (dy.shape.join() !== expected.join()) {
    throw new ShapeError(`${name}: expected dy of shape ${fmtShape(expected)}, got ${fmtShape(dy.shape)}`);
  }
  if (attrs.mode === 'avg') {
    if (indices) throw new ValueError(`${name}: avg pooling takes no indices`);
    return run(Pool2DBackward, [dy], { ...attrs });
  }
  if (!indices) throw new ValueError(`${name}: ${attrs.mode} pooling needs the forward's indices`);
  assertTensor(name, indices, 'indices');
  if (indices.dtype !== 'int32') {
    throw new DTypeError(`${name}: expected int32 indices, got ${indices.dtype}`);
  }
  if (indices.shape.join() !== dy.shape.join()) {
    throw new ShapeError(
      `${name}: expected indices shaped like dy ${fmtShape(dy.shape)}, got ${fmtShape(indices.shape)}`,
    );
  }
  return run(Pool2DBackward, [dy, indices], { ...attrs });
});
