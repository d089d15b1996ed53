/**
 * Binary cross-entropy, on probabilities and (the stable form) on logits, as torch's
 * binary_cross_entropy and binary_cross_entropy_with_logits.
 */
import { ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { abs, add, clamp, exp, gt, log, log1p, maximum, mul, neg, sub, where } from './elementwise';
import {
  broadcastWeight,
  checkReduction,
  floatInput,
  options,
  type Reduction,
  reduceLoss,
  sameShapeAs,
} from './loss_util';
import { op } from './util';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

export interface BinaryCrossEntropyOptions {
  /** Rescales each element's loss; must broadcast to the input's shape. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term, per class; broadcasts over the last dim (e.g. shape [C]). */
  posWeight?: Tensor | null;
}

/**
 * log(p) clamped at −100, as torch does so that p = 0 or 1 gives a finite loss. log only ever
 * sees positive values: a 0 is replaced by 1 first, so no −inf (and no 0·inf = NaN gradient
 * through `where`) enters the graph.
 */
function clampedLog(p: Tensor): Tensor {
  const positive = gt(p, 0);
  return where(positive, clamp(log(where(positive, p, 1)), -100), -100);
}

/**
 * torch's check that every element of the input (and of the target) of binary_cross_entropy lies
 * in [0, 1], NaN failing it too, with torch's words. It needs the values, so it is made where
 * reading them is cheap: on the CPU backend, where they are already in memory (one copy and one
 * pass, small beside the loss's own ops). On another backend (the GPU one) reading them would
 * force a device-to-host transfer and a sync at every step, so there they are not checked: values
 * outside [0, 1] give a meaningless loss (NaN for p < 0 or p > 1), as in torch on CUDA, which
 * checks them only with a device-side assertion.
 */
function checkUnitInterval(name: string, t: Tensor, label: string): void {
  if (t.backend.name !== 'cpu') return;
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) {
      throw new ValueError(
        `${name}: all elements of ${label} should be between 0 and 1, got ${v} at index ${i}`,
      );
    }
  }
}

/**
 * −w·(t·log(p) + (1 − t)·log(1 − p)) for probabilities `probs` and targets of the same shape,
 * each log clamped at −100. As torch, every element of `probs` and of `target` must lie in [0, 1]
 * (a ValueError otherwise; checked on the CPU backend only, see checkUnitInterval).
 */
export const binaryCrossEntropy = op(
  (probs: Tensor, target: Tensor, opts?: BinaryCrossEntropyOptions): Tensor => {
    const name = 'binaryCrossEntropy';
    const o = options(name, opts);
    const p = floatInput(name, probs, 'probs');
    const t = sameShapeAs(name, target, 'target', p.shape, p.dtype);
    const reduction = checkReduction(name, o.reduction ?? 'mean', REDUCTIONS);
    const weight = broadcastWeight(name, o.weight, 'weight', p.shape, p.dtype);
    checkUnitInterval(name, p, 'input');
    checkUnitInterval(name, t, 'target');
    let loss = neg(add(mul(t, clampedLog(p)), mul(sub(1, t), clampedLog(sub(1, p)))));
    if (weight) loss = mul(loss, weight);
    return reduceLoss(loss, reduction);
  },
);

/**
 * Binary cross-entropy of sigmoid(logits), computed without ever forming the sigmoid:
 * max(x, 0) − x·t + log(1 + exp(−|x|)), and with a positive weight pw
 * (1 − t)·x + (1 + (pw − 1)·t)·(log(1 + exp(−|x|)) + max(−x, 0)), as torch.
 * At x = 0 the gradient is exactly σ(0) − t: maximum splits a tie evenly and abs'(0) = 0.
 */
export const binaryCrossEntropyWithLogits = op(
  (logits: Tensor, target: Tensor, opts?: BinaryCrossEntropyWithLogitsOptions): Tensor => {
    const name = 'binaryCrossEntropyWithLogits';
    const o = options(name, opts);
    const x = floatInput(name, logits, 'logits');
    const t = sameShapeAs(name, target, 'target', x.shape, x.dtype);
    const reduction = checkReduction(name, o.reduction ?? 'mean', REDUCTIONS);
    const weight = broadcastWeight(name, o.weight, 'weight', x.shape, x.dtype);
    const posWeight = broadcastWeight(name, o.posWeight, 'posWeight', x.shape, x.dtype);
    const softTail = log1p(exp(neg(abs(x))));
    let loss: Tensor;
    if (posWeight) {
      const scale = add(mul(sub(posWeight, 1), t), 1);
      loss = add(mul(sub(1, t), x), mul(scale, add(softTail, maximum(neg(x), 0))));
    } else {
      loss = add(sub(maximum(x, 0), mul(x, t)), softTail);
    }
    if (weight) loss = mul(loss, weight);
    return reduceLoss(loss, reduction);
  },
);
