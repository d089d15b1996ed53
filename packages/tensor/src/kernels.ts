/**
 * The kernel set: the only operations a backend must implement. Every other op is composed from
 * these in `ops/`. Each kernel has a name and a typed attribute record; inputs are positional.
 *
 * Conventions shared by all backends:
 * - Inputs arrive already validated and, where an op needs it, cast to a common dtype.
 * - Layout is row-major; images are NCHW; a conv weight is [outC, inC/groups, kH, kW].
 * - Integer outputs (indices) are int32.
 */
import type { DType } from './dtype';

/** One elementwise kernel over a single input; `op` picks the function. Output dtype = input's, except `not` (bool). */
export const Unary = 'Unary';
export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'rsqrt'
  | 'square'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'step'
  | 'erf'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'not';
export interface UnaryAttrs {
  op: UnaryOp;
}

/**
 * Elementwise over two inputs of the same dtype with NumPy broadcasting.
 * Comparisons and `and`/`or` return bool; the others return the inputs' dtype.
 */
export const Binary = 'Binary';
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'and'
  | 'or';
export interface BinaryAttrs {
  op: BinaryOp;
}
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set([
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
]);

/**
 * `out = cond ? a : b`, inputs [cond, a, b] broadcast together; a and b share a dtype. `cond` is bool
 * from `where`, any dtype from `whereNonzero`: a kernel selects `a` wherever cond ≠ 0 (NaN included).
 */
export const Where = 'Where';

/**
 * Reduction over `axes` (sorted, non-empty, normalised). `sum` of bool/int32 gives int32;
 * `argmax`/`argmin` give int32 and need exactly one axis; ties pick the first index.
 */
export const Reduce = 'Reduce';
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';
export interface ReduceAttrs {
  op: ReduceOp;
  axes: number[];
  keepDims: boolean;
}

/** Batched matrix product of [..., M, K] and [..., K, N] (after the optional transposes); batch dims broadcast. */
export const MatMul = 'MatMul';
export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

export const Cast = 'Cast';
export interface CastAttrs {
  dtype: DType;
}

/** out.shape[i] = x.shape[perm[i]]. */
export const Transpose = 'Transpose';
export interface TransposeAttrs {
  perm: number[];
}

/** out[i...] = x[begin + i * step ...], out.shape = size; step >= 1. */
export const Slice = 'Slice';
export interface SliceAttrs {
  begin: number[];
  size: number[];
  step: number[];
}

/** Joins inputs (same dtype, same shape except on `axis`) along `axis`. */
export const Concat = 'Concat';
export interface ConcatAttrs {
  axis: number;
}

/** Constant padding; `pads[d] = [before, after]`, both >= 0. */
export const Pad = 'Pad';
export interface PadAttrs {
  pads: [number, number][];
  value: number;
}

/**
 * torch.gather: inputs [x, index (int32)] of equal rank; out.shape = index.shape and
 * out[..i..] = x[..index[..i..]..] with the index substituted on `axis`.
 */
export const Gather = 'Gather';
export interface GatherAttrs {
  axis: number;
}

/** The adjoint of Gather: out = zeros(shape); out[..index[..i..]..] += src[..i..]. Inputs [src, index]. */
export const ScatterAdd = 'ScatterAdd';
export interface ScatterAddAttrs {
  axis: number;
  shape: number[];
}

export interface Conv2DAttrs {
  stride: [number, number];
  /** [top, bottom, left, right] */
  pad: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}
/** Cross-correlation of x [N, C, H, W] with w [O, C/groups, kH, kW] (no bias). */
export const Conv2D = 'Conv2D';
/** Gradient of Conv2D w.r.t. its input: inputs [dy, w]. Also the forward of a transposed convolution. */
export const Conv2DBackpropInput = 'Conv2DBackpropInput';
export interface Conv2DBackpropInputAttrs extends Conv2DAttrs {
  inputShape: [number, number, number, number];
}
/** Gradient of Conv2D w.r.t. its weight: inputs [x, dy]. */
export const Conv2DBackpropFilter = 'Conv2DBackpropFilter';
export interface Conv2DBackpropFilterAttrs extends Conv2DAttrs {
  filterShape: [number, number, number, number];
}

/**
 * 2-D pooling of x [N, C, H, W]. Padded cells never win a max/min; `avg` divides by the window
 * size (countIncludePad) or by the number of real cells. Outputs: [y] for avg; [y, indices] for
 * max/min, where indices (int32) is the flat h * W + w position of the winner in its input plane.
 */
export const Pool2D = 'Pool2D';
export interface Pool2DAttrs {
  mode: 'max' | 'min' | 'avg';
  kernel: [number, number];
  stride: [number, number];
  /** [top, bottom, left, right] */
  pad: [number, number, number, number];
  countIncludePad: boolean;
}
/** Inputs [dy, indices] for max/min, [dy] for avg. */
export const Pool2DBackward = 'Pool2DBackward';
export interface Pool2DBackwardAttrs extends Pool2DAttrs {
  inputShape: [number, number, number, number];
}

/** Spatial resize of x [N, C, H, W] to [N, C, ...size]. Nearest uses floor(dst * in / out), as torch does. */
export const Resize = 'Resize';
export interface ResizeAttrs {
  mode: 'nearest' | 'bilinear';
  size: [number, number];
  alignCorners: boolean;
}
export const ResizeBackward = 'ResizeBackward';
export interface ResizeBackwardAttrs extends ResizeAttrs {
  inputShape: [number, number, number, number];
}

/**
 * A counter-based random fill: element i depends only on (seed, offset + i), so any backend can
 * produce the same stream in parallel. uniform: [a, b), element i uses counter offset + i;
 * normal: mean a, std b, element i uses counters offset + 2i and offset + 2i + 1.
 */
export const RandomFill = 'RandomFill';
export interface RandomFillAttrs {
  shape: number[];
  dtype: DType;
  dist: 'uniform' | 'normal';
  seed: number;
  offset: number;
  a: number;
  b: number;
}

/**
 * A stable sort along `axis`. Outputs [values (x's dtype), indices (int32)], both shaped like x:
 * `values[..k..] = x[..indices[..k..]..]`. NaN counts as larger than every number (last when
 * ascending, first when descending), as in torch; equal values keep their input order.
 *
 * This kernel exists because sorting cannot be composed efficiently from the rest of the set:
 * a composed sort (a rank count from pairwise comparisons, then a gather) materialises an
 * n × n comparison tensor per row, which is quadratic in memory, where a backend's own sort is
 * O(n log n) time and O(n) memory (or, on a GPU, quadratic work but no quadratic buffer).
 * sort, argsort, topk, randperm and multinomial (without replacement) are built on it.
 */
export const Sort = 'Sort';
export interface SortAttrs {
  axis: number;
  descending: boolean;
}

/**
 * Fused, optional: one Adam/AdamW step of a float32 parameter (ops/adam_step.ts). Inputs
 * [param, grad, expAvg, expAvgSq] (+ maxExpAvgSq under amsgrad); outputs the new values of each
 * state, in that order, less the grad. A backend without it gets the composed ops, the reference.
 */
export const AdamUpdate = 'AdamUpdate';
export interface AdamUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: p·(1 − lr·weightDecay) instead of weightDecay·p added to the gradient. */
  decoupled: boolean;
  amsgrad: boolean;
  /** The step count t, from 1 (for the bias corrections 1 − βᵗ). */
  step: number;
}

/**
 * Fused, optional: softmax cross-entropy of float logits [N, C] against int32 class indices [N]
 * (ops/softmax_cross_entropy.ts). Output: the loss per row [N] (`reduction` 'none'), or their sum
 * or mean over the `count` rows whose target is not `ignoreIndex` (a 0-d tensor); an ignored row
 * contributes 0. A backend without it gets the composed ops (log-softmax, a one-hot pick, a sum).
 */
export const SoftmaxCrossEntropy = 'SoftmaxCrossEntropy';
export interface SoftmaxCrossEntropyAttrs {
  ignoreIndex: number;
  reduction: 'none' | 'mean' | 'sum';
  /** The rows whose target is not ignoreIndex: the mean's divisor. */
  count: number;
}

/**
 * Fused, optional, SoftmaxCrossEntropy's gradient: inputs [logits, target, dy] (dy shaped like
 * the loss), output d logits [N, C] = (softmax(logits) − onehot(target))·dy per row (÷ count
 * for 'mean'), 0 on ignored rows. Same attrs as the forward.
 */
export const SoftmaxCrossEntropyGrad = 'SoftmaxCrossEntropyGrad';

/** Fused kernels a backend may add; not part of KERNEL_NAMES (see DESIGN.md, the kernel set). */
export const FUSED_KERNEL_NAMES: readonly string[] = [
  AdamUpdate,
  SoftmaxCrossEntropy,
  SoftmaxCrossEntropyGrad,
];

/** Every kernel name of the set: each backend registers exactly these (checked by tests). */
export const KERNEL_NAMES: readonly string[] = [
  Unary,
  Binary,
  Where,
  Reduce,
  MatMul,
  Cast,
  Transpose,
  Slice,
  Concat,
  Pad,
  Gather,
  ScatterAdd,
  Conv2D,
  Conv2DBackpropInput,
  Conv2DBackpropFilter,
  Pool2D,
  Pool2DBackward,
  Resize,
  ResizeBackward,
  RandomFill,
  Sort,
];
