/**
 * 2-D convolution and transposed convolution (NCHW, torch semantics). Both are one kernel each:
 * Conv2D for conv2d, and Conv2DBackpropInput (the adjoint of Conv2D) for convTranspose2d. The
 * bias is added by broadcasting, so its gradient comes from the add.
 *
 * The low-level ops at the end take the kernels' own attrs (four-sided padding included); the
 * gradients use them.
 */
import { type DType, promoteTypes } from '../dtype';
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import {
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
} from '../kernels';
import type { Tensor } from '../tensor';
import { add, cast } from './elementwise';
import { assertImage, type Pair, pairOf } from './image_args';
import { pad } from './movement';
import { reshape } from './shape';
import { assertTensor, describe, op, run } from './util';

export type { Pair } from './image_args';

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding per side: one number, [pH, pW], 'valid' (none) or 'same' (stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Extra rows/cols added at the bottom/right of the output; must be < stride or < dilation. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

function assertGroups(name: string, groups: unknown): number {
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) {
    throw new ValueError(`${name}: expected groups to be an integer >= 1, got ${describe(groups)}`);
  }
  return groups;
}

/** The common dtype of the operands; bool is refused (torch has no bool convolution). */
function convDType(name: string, tensors: readonly (Tensor | null)[]): DType {
  let dtype: DType | null = null;
  for (const t of tensors) {
    if (!t) continue;
    if (t.dtype === 'bool') {
      throw new DTypeError(
        `${name}: bool tensors are not supported, got a bool operand ${fmtShape(t.shape)}`,
      );
    }
    dtype = dtype ? promoteTypes(dtype, t.dtype) : t.dtype;
  }
  return dtype ?? 'float32';
}

function assertBias(name: string, bias: Tensor | null, channels: number): void {
  if (bias && (bias.rank !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(`${name}: expected bias of shape [${channels}], got ${fmtShape(bias.shape)}`);
  }
}

function addBias(y: Tensor, bias: Tensor | null): Tensor {
  return bias ? add(y, reshape(cast(bias, y.dtype), [1, bias.shape[0], 1, 1])) : y;
}

function optionalBias(name: string, bias: unknown): Tensor | null {
  return bias === undefined || bias === null ? null : assertTensor(name, bias, 'bias');
}

// ---- conv2d ----

/**
 * torch.nn.functional.conv2d: cross-correlation of x [N, C, H, W] with weight [O, C/groups, kH, kW],
 * plus bias [O]. Output [N, O, oH, oW], oH = floor((H + padTop + padBottom − dilation·(kH − 1) − 1) / stride) + 1.
 * padding 'same' pads dilation·(k − 1) in total per axis, the odd one at the bottom/right, like torch.
 */
export const conv2d = op(
  (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor => {
    const name = 'conv2d';
    assertTensor(name, x);
    assertTensor(name, weight, 'weight');
    const b = optionalBias(name, bias);
    assertImage(name, x);
    assertImage(name, weight, 'weight', '[O, C/groups, kH, kW]');
    const dtype = convDType(name, [x, weight, b]);
    const stride = pairOf(name, 'stride', opts.stride ?? 1, 1);
    const dilation = pairOf(name, 'dilation', opts.dilation ?? 1, 1);
    const groups = assertGroups(name, opts.groups ?? 1);
    const [, c, h, w] = x.shape;
    const [o, cg, kH, kW] = weight.shape;
    if (c % groups !== 0) {
      throw new ValueError(
        `${name}: input channels ${c} (x ${fmtShape(x.shape)}) are not divisible by groups ${groups}`,
      );
    }
    if (o % groups !== 0) {
      throw new ValueError(
        `${name}: output channels ${o} (weight ${fmtShape(weight.shape)}) are not divisible by groups ${groups}`,
      );
    }
    if (cg * groups !== c) {
      throw new ShapeError(
        `${name}: weight ${fmtShape(weight.shape)} expects ${cg * groups} input channels (${cg} per group × ${groups} groups), but x ${fmtShape(x.shape)} has ${c}`,
      );
    }
    if (kH < 1 || kW < 1) {
      throw new ShapeError(
        `${name}: expected a kernel of at least 1×1, got weight ${fmtShape(weight.shape)}`,
      );
    }
    assertBias(name, b, o);
    const pad = convPadding(name, opts.padding ?? 0, stride, dilation, kH, kW);
    const oH = Math.floor((h + pad[0] + pad[1] - dilation[0] * (kH - 1) - 1) / stride[0]) + 1;
    const oW = Math.floor((w + pad[2] + pad[3] - dilation[1] * (kW - 1) - 1) / stride[1]) + 1;
    if (oH < 1 || oW < 1) {
      throw new ShapeError(
        `${name}: output would be ${oH}×${oW}: x ${fmtShape(x.shape)} padded by [${pad.join(', ')}] (top, bottom, left, right) is smaller than the kernel ${kH}×${kW} dilated by [${dilation.join(', ')}]`,
      );
    }
    const attrs: Conv2DAttrs = { stride, pad, dilation, groups };
    return addBias(run(Conv2D, [cast(x, dtype), cast(weight, dtype)], attrs), b);
  },
);

/** Resolves conv2d's padding option into [top, bottom, left, right]. */
function convPadding(
  name: string,
  padding: unknown,
  stride: [number, number],
  dilation: [number, number],
  kH: number,
  kW: number,
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new ValueError(
        `${name}: padding 'same' needs stride 1 (as in torch), got stride [${stride.join(', ')}]`,
      );
    }
    const totalH = dilation[0] * (kH - 1);
    const totalW = dilation[1] * (kW - 1);
    const top = Math.floor(totalH / 2);
    const left = Math.floor(totalW / 2);
    return [top, totalH - top, left, totalW - left];
  }
  if (typeof padding === 'string') {
    throw new ValueError(
      `${name}: expected padding to be a number, a pair, 'same' or 'valid', got '${padding}'`,
    );
  }
  const [pH, pW] = pairOf(name, 'padding', padding, 0);
  return [pH, pH, pW, pW];
}

// ---- convTranspose2d ----

/**
 * torch.nn.functional.conv_transpose2d: the adjoint of conv2d with respect to its input, for
 * x [N, inC, H, W] and weight [inC, outC/groups, kH, kW], plus bias [outC]. Output [N, outC, oH, oW],
 * oH = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1.
 */
export const convTranspose2d = op(
  (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor => {
    const name = 'convTranspose2d';
    assertTensor(name, x);
    assertTensor(name, weight, 'weight');
    const b = optionalBias(name, bias);
    assertImage(name, x);
    assertImage(name, weight, 'weight', '[inC, outC/groups, kH, kW]');
    const dtype = convDType(name, [x, weight, b]);
    const stride = pairOf(name, 'stride', opts.stride ?? 1, 1);
    const padding = pairOf(name, 'padding', opts.padding ?? 0, 0);
    const outputPadding = pairOf(name, 'outputPadding', opts.outputPadding ?? 0, 0);
    const dilation = pairOf(name, 'dilation', opts.dilation ?? 1, 1);
    const groups = assertGroups(name, opts.groups ?? 1);
    const [n, c, h, w] = x.shape;
    const [inC, og, kH, kW] = weight.shape;
    if (inC !== c) {
      throw new ShapeError(
        `${name}: weight ${fmtShape(weight.shape)} expects ${inC} input channels, but x ${fmtShape(x.shape)} has ${c}`,
      );
    }
    if (c % groups !== 0) {
      throw new ValueError(
        `${name}: input channels ${c} (x ${fmtShape(x.shape)}) are not divisible by groups ${groups}`,
      );
    }
    if (kH < 1 || kW < 1 || og < 1) {
      throw new ShapeError(
        `${name}: expected weight with outC/groups >= 1 and a kernel of at least 1×1, got ${fmtShape(weight.shape)}`,
      );
    }
    const outC = og * groups;
    assertBias(name, b, outC);
    for (let i = 0; i < 2; i++) {
      if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
        throw new ValueError(
          `${name}: outputPadding [${outputPadding.join(', ')}] must be smaller than stride [${stride.join(', ')}] or dilation [${dilation.join(', ')}]`,
        );
      }
    }
    const oH = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + outputPadding[0] + 1;
    const oW = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kW - 1) + outputPadding[1] + 1;
    if (oH < 1 || oW < 1) {
      throw new ShapeError(
        `${name}: output would be ${oH}×${oW} for x ${fmtShape(x.shape)}, kernel ${kH}×${kW}, stride [${stride.join(', ')}], padding [${padding.join(', ')}]`,
      );
    }
    // The transposed conv of x is the input-gradient of a conv2d whose input is our output, whose
    // output is x, and whose weight [O = inC, C/groups = outC/groups, kH, kW] is ours as stored.
    const [afterH, extraH] = adjointPadAfter(padding[0], outputPadding[0], stride[0]);
    const [afterW, extraW] = adjointPadAfter(padding[1], outputPadding[1], stride[1]);
    const attrs: Conv2DBackpropInputAttrs = {
      stride,
      pad: [padding[0], afterH, padding[1], afterW],
      dilation,
      groups,
      inputShape: [n, outC, oH - extraH, oW - extraW],
    };
    let y = run(Conv2DBackpropInput, [cast(x, dtype), cast(weight, dtype)], attrs);
    if (extraH > 0 || extraW > 0) {
      y = pad(y, [
        [0, extraH],
        [0, extraW],
      ]);
    }
    return addBias(y, b);
  },
);

/**
 * The bottom (or right) padding of the conv that convTranspose2d is the adjoint of. That conv
 * must map our output back to exactly x's size, which holds for any bottom padding in
 * [p − outputPadding, p − outputPadding + stride − 1]; p itself when outputPadding < stride. When
 * outputPadding >= stride (allowed below the dilation) the range can lie below 0; then the conv's
 * input is shrunk instead and the `extra` rows, which no input pixel reaches, are zero-padded on.
 */
function adjointPadAfter(p: number, outputPadding: number, stride: number): [after: number, extra: number] {
  const after = Math.min(p, p - outputPadding + stride - 1);
  return after >= 0 ? [after, 0] : [0, -after];
}

// ---- low-level ops on the kernels' own attrs (used by gradients) ----

function assertSameDType(name: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${name}: expected operands of one dtype, got ${a.dtype} and ${b.dtype}`);
  }
}

/**
 * Checks that kernel attrs, an input shape and a weight shape describe a valid convolution, and
 * returns the shape of its output.
 */
function convOutShape(
  name: string,
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: Conv2DAttrs,
): [number, number, number, number] {
  const { stride, pad, dilation, groups } = attrs;
  pairOf(name, 'stride', stride, 1);
  pairOf(name, 'dilation', dilation, 1);
  assertGroups(name, groups);
  if (!Array.isArray(pad) || pad.length !== 4 || !pad.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ValueError(
      `${name}: expected pad to be 4 integers >= 0 [top, bottom, left, right], got ${describe(pad)}`,
    );
  }
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new ShapeError(
      `${name}: expected input and weight shapes of rank 4, got ${fmtShape(xShape)} and ${fmtShape(wShape)}`,
    );
  }
  const [n, c, h, w] = xShape;
  const [o, cg, kH, kW] = wShape;
  if (cg * groups !== c || o % groups !== 0) {
    throw new ShapeError(
      `${name}: weight ${fmtShape(wShape)} with groups ${groups} does not fit input ${fmtShape(xShape)}`,
    );
  }
  const oH = Math.floor((h + pad[0] + pad[1] - dilation[0] * (kH - 1) - 1) / stride[0]) + 1;
  const oW = Math.floor((w + pad[2] + pad[3] - dilation[1] * (kW - 1) - 1) / stride[1]) + 1;
  if (oH < 1 || oW < 1) {
    throw new ShapeError(`${name}: input ${fmtShape(xShape)} is too small for weight ${fmtShape(wShape)}`);
  }
  return [n, o, oH, oW];
}

function assertShape(
  name: string,
  what: string,
  actual: readonly number[],
  expected: readonly number[],
): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${name}: expected ${what} of shape ${fmtShape(expected)}, got ${fmtShape(actual)}`);
  }
}

/** The Conv2D kernel as is: x [N, C, H, W], w [O, C/groups, kH, kW], explicit four-sided padding, no bias. */
export const conv2dWithAttrs = op((x: Tensor, w: Tensor, attrs: Conv2DAttrs): Tensor => {
  const name = 'conv2dWithAttrs';
  assertTensor(name, x);
  assertTensor(name, w, 'w');
  assertSameDType(name, x, w);
  convOutShape(name, x.shape, w.shape, attrs);
  const { stride, pad, dilation, groups } = attrs;
  return run(Conv2D, [x, w], { stride, pad, dilation, groups });
});

/** The gradient of Conv2D with respect to its input: dy [N, O, oH, oW], w → dx of shape attrs.inputShape. */
export const conv2dBackpropInput = op((dy: Tensor, w: Tensor, attrs: Conv2DBackpropInputAttrs): Tensor => {
  const name = 'conv2dBackpropInput';
  assertTensor(name, dy, 'dy');
  assertTensor(name, w, 'w');
  assertSameDType(name, dy, w);
  const { stride, pad, dilation, groups, inputShape } = attrs;
  assertShape(name, 'dy', dy.shape, convOutShape(name, inputShape, w.shape, attrs));
  return run(Conv2DBackpropInput, [dy, w], { stride, pad, dilation, groups, inputShape: [...inputShape] });
});

/** The gradient of Conv2D with respect to its weight: x, dy [N, O, oH, oW] → dw of shape attrs.filterShape. */
export const conv2dBackpropFilter = op((x: Tensor, dy: Tensor, attrs: Conv2DBackpropFilterAttrs): Tensor => {
  const name = 'conv2dBackpropFilter';
  assertTensor(name, x);
  assertTensor(name, dy, 'dy');
  assertSameDType(name, x, dy);
  const { stride, pad, dilation, groups, filterShape } = attrs;
  assertShape(name, 'dy', dy.shape, convOutShape(name, x.shape, filterShape, attrs));
  return run(Conv2DBackpropFilter, [x, dy], { stride, pad, dilation, groups, filterShape: [...filterShape] });
});
