/**
 * Classification losses over a class axis (dim 1, torch's layout [N, C, d1, ...]): crossEntropy
 * on logits and nll on log-probabilities. Class-index targets pick their class with a one-hot
 * mask built by comparing against arange(C), so no gather kernel is needed and the whole loss
 * differentiates through where/sum.
 */
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import { shapesEqual } from '../shape';
import type { Tensor } from '../tensor';
import { logSoftmax } from './activations';
import { arange } from './creation';
import { add, cast, div, eq, mul, ne, neg, where } from './elementwise';
import { checkReduction, floatInput, options, type Reduction } from './loss_util';
import { mean, sum } from './reduce';
import { reshape, unsqueeze } from './shape';
import { hasSoftmaxCrossEntropy, softmaxCrossEntropy } from './softmax_cross_entropy';
import { assertTensor, op } from './util';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

export interface NllOptions {
  /** A rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  reduction?: Reduction;
  /** Targets equal to this contribute 0 and are left out of the mean (default -100). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** In [0, 1]: mixes the target with the uniform distribution over the C classes. */
  labelSmoothing?: number;
}

/**
 * An input of rank >= 1 seen as [N, C, d1, ...]: an unbatched [C] becomes [1, C]. `unbatched`
 * says to drop that leading 1 again from a 'none' result.
 */
interface ClassInput {
  x: Tensor;
  classes: number;
  unbatched: boolean;
}

function classInput(name: string, x: unknown, label: string): ClassInput {
  const t = floatInput(name, x, label);
  if (t.rank === 0) throw new ShapeError(`${name}: expected '${label}' of shape [N, C, ...] or [C], got []`);
  const unbatched = t.rank === 1;
  const xb = unbatched ? reshape(t, [1, t.shape[0]]) : t;
  return { x: xb, classes: xb.shape[1], unbatched };
}

/** The shape of a class-index target for input [N, C, d1, ...]: [N, d1, ...]. */
function indexShape(x: Tensor): number[] {
  return x.shape.filter((_, i) => i !== 1);
}

/** An optional per-class weight [C], cast to the input's dtype. */
function classWeight(name: string, w: unknown, c: number, x: Tensor): Tensor | null {
  if (w === undefined || w === null) return null;
  const t = floatInput(name, w, 'weight');
  if (!shapesEqual(t.shape, [c])) {
    throw new ShapeError(`${name}: expected 'weight' of shape [C] = [${c}], got ${fmtShape(t.shape)}`);
  }
  return cast(t, x.dtype);
}

/** Reshapes a per-class vector [C] so that it broadcasts along dim 1 of `x`. */
function alongClasses(v: Tensor, x: Tensor): Tensor {
  return reshape(
    v,
    x.shape.map((d, i) => (i === 1 ? d : 1)),
  );
}

function checkIgnoreIndex(name: string, ignoreIndex: unknown): number {
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) {
    throw new ValueError(`${name}: expected 'ignoreIndex' to be an integer, got ${String(ignoreIndex)}`);
  }
  return ignoreIndex;
}

/**
 * Validates an int32 class-index target for `input` and reads it once to check its range (as
 * torch does): every value must be a class in [0, C) or the ignoreIndex. Also gives the number of
 * positions that are not ignored.
 */
function indexTarget(
  name: string,
  target: unknown,
  input: ClassInput,
  ignoreIndex: number,
): { target: Tensor; count: number } {
  const t = assertTensor(name, target, 'target');
  if (t.dtype !== 'int32') {
    throw new DTypeError(`${name}: expected 'target' of class indices to be int32, got ${t.dtype}`);
  }
  const want = indexShape(input.x);
  const got = input.unbatched && t.rank === 0 ? [1] : t.shape;
  if (!shapesEqual(got, want)) {
    const expected = input.unbatched ? '[]' : `[N, d1, ...] = ${fmtShape(want)}`;
    throw new ShapeError(
      `${name}: expected 'target' of shape ${expected} for input ${fmtShape(input.unbatched ? [input.classes] : input.x.shape)}, got ${fmtShape(t.shape)}`,
    );
  }
  const c = input.classes;
  const values = t.dataSync();
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) continue;
    count++;
    if (v < 0 || v >= c) {
      throw new ValueError(
        `${name}: target value ${v} is out of range for ${c} classes (expected 0 <= target < ${c} or the ignoreIndex ${ignoreIndex})`,
      );
    }
  }
  return { target: reshape(t, want), count };
}

/** Per-position pieces of a class-index loss, all shaped [N, d1, ...]. */
interface Picked {
  /** w[target], or 1 without weights; 0 at ignored positions. Its sum is the mean's divisor. */
  targetWeight: Tensor;
  /** −w[target]·logp[target]: torch's nll per position (0 where ignored). */
  nll: Tensor;
}

function pickTargets(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): Picked {
  const c = logp.shape[1];
  // The one-hot mask [N, C, d1, ...]. An ignored position gets class -1, which matches no class,
  // so its row is empty even when ignoreIndex is itself a valid class.
  const tgt = ignoreIndex >= 0 && ignoreIndex < c ? where(ne(target, ignoreIndex), target, -1) : target;
  const mask = eq(alongClasses(arange(c), logp), unsqueeze(tgt, 1));
  const weighted = weight ? mul(logp, alongClasses(weight, logp)) : logp;
  const nll = neg(sum(where(mask, weighted, 0), 1));
  const targetWeight = weight
    ? sum(where(mask, alongClasses(weight, logp), 0), 1)
    : cast(sum(mask, 1), logp.dtype);
  return { targetWeight, nll };
}

/** 'mean' divides by the summed target weights (torch's weighted mean), not by the count. */
function reduceWeighted(
  loss: Tensor,
  targetWeight: Tensor,
  reduction: Reduction,
  unbatched: boolean,
): Tensor {
  if (reduction === 'none') return unbatched ? reshape(loss, []) : loss;
  const total = sum(loss);
  return reduction === 'sum' ? total : div(total, sum(targetWeight));
}

/**
 * Negative log-likelihood of int32 class indices `target` [N, d1, ...] under log-probabilities
 * `logProbs` [N, C, d1, ...] (or [C] with a 0-d target), as torch.nn.functional.nll_loss.
 */
export const nll = op((logProbs: Tensor, target: Tensor, opts?: NllOptions): Tensor => {
  const o = options('nll', opts);
  const input = classInput('nll', logProbs, 'logProbs');
  const reduction = checkReduction('nll', o.reduction ?? 'mean', REDUCTIONS);
  const ignoreIndex = checkIgnoreIndex('nll', o.ignoreIndex ?? -100);
  const weight = classWeight('nll', o.weight, input.classes, input.x);
  const { target: t } = indexTarget('nll', target, input, ignoreIndex);
  const picked = pickTargets(input.x, t, weight, ignoreIndex);
  return reduceWeighted(picked.nll, picked.targetWeight, reduction, input.unbatched);
});

/**
 * Cross-entropy of raw `logits` [N, C, d1, ...] (or [C]) against either int32 class indices
 * [N, d1, ...] or float class probabilities shaped like the logits, as
 * torch.nn.functional.cross_entropy (log-softmax over dim 1, then nll).
 */
export const crossEntropy = op((logits: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor => {
  const o = options('crossEntropy', opts);
  const input = classInput('crossEntropy', logits, 'logits');
  const reduction = checkReduction('crossEntropy', o.reduction ?? 'mean', REDUCTIONS);
  const ignoreIndex = checkIgnoreIndex('crossEntropy', o.ignoreIndex ?? -100);
  const eps = o.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new ValueError(`crossEntropy: labelSmoothing must be a number in [0, 1], got ${String(eps)}`);
  }
  const weight = classWeight('crossEntropy', o.weight, input.classes, input.x);
  const t = assertTensor('crossEntropy', target, 'target');
  if (t.dtype === 'float32' || t.dtype === 'float64') {
    return probabilityTargets(input, t, weight, eps, reduction, ignoreIndex);
  }
  const { target: tgt, count } = indexTarget('crossEntropy', t, input, ignoreIndex);
  // The common case, logits [N, C] without weights or smoothing, as one fused kernel where the
  // backend has it (softmax_cross_entropy.ts); the composed ops below are the reference.
  if (!weight && eps === 0 && input.x.rank === 2 && hasSoftmaxCrossEntropy()) {
    const loss = softmaxCrossEntropy(input.x, tgt, { ignoreIndex, reduction, count });
    return reduction === 'none' && input.unbatched ? reshape(loss, []) : loss;
  }
  const logp = logSoftmax(input.x, 1);
  const c = input.classes;
  const picked = pickTargets(logp, tgt, weight, ignoreIndex);
  if (eps === 0) return reduceWeighted(picked.nll, picked.targetWeight, reduction, input.unbatched);

  // Label smoothing, as torch: (1 − ε)·nll + (ε/C)·Σ_c −w_c·logp_c, the second term zeroed at
  // ignored positions; 'mean' divides both terms by the same summed target weights.
  const weighted = weight ? mul(logp, alongClasses(weight, logp)) : logp;
  const uniform = neg(sum(weighted, 1));
  const smooth = where(eq(tgt, ignoreIndex), 0, uniform);
  const loss = add(mul(picked.nll, 1 - eps), mul(smooth, eps / c));
  return reduceWeighted(loss, picked.targetWeight, reduction, input.unbatched);
});

/**
 * Soft targets: Σ_c −w_c·t_c·logp_c per position, the target first mixed with the uniform
 * distribution when smoothing. Torch's 'mean' divides by the number of positions, weights or not.
 */
function probabilityTargets(
  input: ClassInput,
  target: Tensor,
  weight: Tensor | null,
  eps: number,
  reduction: Reduction,
  ignoreIndex: number,
): Tensor {
  const shape = input.unbatched ? [input.classes] : input.x.shape;
  if (!shapesEqual(target.shape, shape)) {
    throw new ShapeError(
      `crossEntropy: expected float 'target' of class probabilities shaped like the logits ${fmtShape(shape)}, got ${fmtShape(target.shape)} (class-index targets must be int32)`,
    );
  }
  if (ignoreIndex >= 0) {
    throw new ValueError(
      `crossEntropy: ignoreIndex ${ignoreIndex} is not supported with class-probability targets`,
    );
  }
  const logp = logSoftmax(input.x, 1);
  let t = reshape(cast(target, logp.dtype), logp.shape);
  if (eps > 0) t = add(mul(t, 1 - eps), eps / input.classes);
  let prod = mul(logp, t);
  if (weight) prod = mul(prod, alongClasses(weight, logp));
  const loss = neg(sum(prod, 1));
  if (reduction === 'none') return input.unbatched ? reshape(loss, []) : loss;
  return reduction === 'sum' ? sum(loss) : mean(loss);
}
