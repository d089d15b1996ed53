/**
 * The functional cores of the normalization layers: `batchNorm` and `layerNorm`, written with
 * public tensor ops, so that gradients flow through the batch statistics on every backend. The
 * Modules in `layers/normalization.ts` call these.
 */

import { noGrad } from '@axon/autograd';
import {
  add,
  assign,
  cast,
  DTypeError,
  div,
  fmtShape,
  isFloat,
  mean,
  mul,
  op,
  reshape,
  ShapeError,
  sqrt,
  square,
  sub,
  type Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';

export interface BatchNormOptions {
  /**
   * Use the batch statistics (and update the running ones, when given). False uses the running
   * statistics, which are then required. Default false, as torch.nn.functional.batch_norm.
   */
  training?: boolean;
  /** Weight of the new batch statistic in the running average. Default 0.1. */
  momentum?: number;
  /** Added to the variance inside the square root. Default 1e-5. */
  eps?: number;
}

function checkFloat(name: string, what: string, t: Tensor): void {
  if (!isFloat(t.dtype))
    throw new DTypeError(`${name}: expected '${what}' to be float32 or float64, got ${t.dtype}`);
}

function checkVector(name: string, what: string, t: Tensor | null | undefined, c: number): void {
  if (!t) return;
  checkFloat(name, what, t);
  if (t.rank !== 1 || t.shape[0] !== c) {
    throw new ShapeError(`${name}: expected '${what}' of shape [${c}], got ${fmtShape(t.shape)}`);
  }
}

/**
 * torch.nn.functional.batch_norm: normalises `x` ([N, C, ...]) per channel (axis 1).
 *
 * Training: mean and biased variance over every axis except C; y = (x − mean) / √(var + eps) ·
 * weight + bias; the gradient flows through the batch statistics. When `runningMean` and
 * `runningVar` are given they are updated in place (without recording gradients):
 * running_mean ← (1 − m)·running_mean + m·mean, running_var ← (1 − m)·running_var + m·var·n/(n − 1)
 * (the unbiased variance, n = values per channel).
 *
 * Eval (`training: false`): y = (x − running_mean) / √(running_var + eps) · weight + bias.
 */
export const batchNorm = op(
  (
    x: Tensor,
    runningMean: Tensor | null,
    runningVar: Tensor | null,
    weight: Tensor | null = null,
    bias: Tensor | null = null,
    options: BatchNormOptions = {},
  ): Tensor => {
    const name = 'batchNorm';
    const { training = false, momentum = 0.1, eps = 1e-5 } = options;
    checkFloat(name, 'x', x);
    if (x.rank < 2) throw new ShapeError(`${name}: expected input [N, C, ...], got ${fmtShape(x.shape)}`);
    const c = x.shape[1];
    checkVector(name, 'runningMean', runningMean, c);
    checkVector(name, 'runningVar', runningVar, c);
    checkVector(name, 'weight', weight, c);
    checkVector(name, 'bias', bias, c);
    if ((runningMean === null) !== (runningVar === null)) {
      throw new ValueError(`${name}: give both runningMean and runningVar, or neither`);
    }
    if (!Number.isFinite(momentum) || !Number.isFinite(eps) || eps < 0) {
      throw new ValueError(
        `${name}: momentum and eps must be finite numbers (eps >= 0), got ${momentum}, ${eps}`,
      );
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    const n = x.size / Math.max(c, 1);

    let mu: Tensor;
    let variance: Tensor;
    if (training) {
      if (n <= 1) {
        throw new ValueError(
          `${name}: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`,
        );
      }
      mu = mean(x, axes, true);
      variance = mean(square(sub(x, mu)), axes, true);
      if (runningMean && runningVar) {
        const rm = runningMean;
        const rv = runningVar;
        const batchMean = mu;
        const batchVar = variance;
        noGrad(() =>
          tidy(() => {
            const m = reshape(batchMean, [c]);
            const v = mul(reshape(batchVar, [c]), n / (n - 1));
            assign(rm, cast(add(mul(rm, 1 - momentum), mul(m, momentum)), rm.dtype));
            assign(rv, cast(add(mul(rv, 1 - momentum), mul(v, momentum)), rv.dtype));
          }),
        );
      }
    } else {
      if (!runningMean || !runningVar) {
        throw new ValueError(`${name}: runningMean and runningVar are required when not training`);
      }
      mu = reshape(runningMean, bshape);
      variance = reshape(runningVar, bshape);
    }
    let y = div(sub(x, mu), sqrt(add(variance, eps)));
    if (weight) y = mul(y, reshape(weight, bshape));
    if (bias) y = add(y, reshape(bias, bshape));
    return y;
  },
);

/**
 * torch.nn.functional.layer_norm: normalises over the trailing `normalizedShape` dims (biased
 * variance, eps inside the square root), then y · weight + bias (both of shape normalizedShape).
 */
export const layerNorm = op(
  (
    x: Tensor,
    normalizedShape: number | readonly number[],
    weight: Tensor | null = null,
    bias: Tensor | null = null,
    eps = 1e-5,
  ): Tensor => {
    const name = 'layerNorm';
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    checkFloat(name, 'x', x);
    checkNormalizedShape(name, shape);
    const k = shape.length;
    if (x.rank < k || x.shape.slice(x.rank - k).join() !== shape.join()) {
      throw new ShapeError(`${name}: expected input [..., ${shape.join(', ')}], got ${fmtShape(x.shape)}`);
    }
    for (const [what, t] of [
      ['weight', weight],
      ['bias', bias],
    ] as const) {
      if (!t) continue;
      checkFloat(name, what, t);
      if (t.shape.join() !== shape.join()) {
        throw new ShapeError(
          `${name}: expected '${what}' of shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`,
        );
      }
    }
    if (!Number.isFinite(eps) || eps < 0)
      throw new ValueError(`${name}: eps must be a finite number >= 0, got ${eps}`);
    const axes = shape.map((_, i) => x.rank - k + i);
    const mu = mean(x, axes, true);
    const centered = sub(x, mu);
    const variance = mean(square(centered), axes, true);
    let y = div(centered, sqrt(add(variance, eps)));
    if (weight) y = mul(y, weight);
    if (bias) y = add(y, bias);
    return y;
  },
);

/** Shared with the LayerNorm module (not re-exported from the package). */
export function checkNormalizedShape(name: string, shape: readonly number[]): void {
  if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(
      `${name}: normalizedShape must be one or more positive integers, got [${shape.join(', ')}]`,
    );
  }
}
