/**
 * Margin losses: the binary SVM hinge and torch's multi-class multi_margin_loss.
 */
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import { shapesEqual } from '../shape';
import type { Tensor } from '../tensor';
import { relu } from './activations';
import { arange } from './creation';
import { add, div, eq, mul, square, sub, where } from './elementwise';
import { checkReduction, floatInput, options, type Reduction, reduceLoss, sameShapeAs } from './loss_util';
import { sum } from './reduce';
import { reshape, unsqueeze } from './shape';
import { assertTensor, op } from './util';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

function checkMargin(name: string, margin: unknown): number {
  if (typeof margin !== 'number' || !Number.isFinite(margin)) {
    throw new ValueError(`${name}: expected 'margin' to be a finite number, got ${String(margin)}`);
  }
  return margin;
}

export interface HingeOptions {
  margin?: number;
  reduction?: Reduction;
}

/**
 * The binary SVM hinge max(0, margin − target·input), target ±1 (float or int32) shaped like the
 * input. (torch's HingeEmbeddingLoss is a different loss.) The gradient at the kink is 0.
 */
export const hinge = op((input: Tensor, target: Tensor, opts?: HingeOptions): Tensor => {
  const o = options('hinge', opts);
  const x = floatInput('hinge', input, 'input');
  const t = sameShapeAs('hinge', target, 'target', x.shape, x.dtype);
  const reduction = checkReduction('hinge', o.reduction ?? 'mean', REDUCTIONS);
  const margin = checkMargin('hinge', o.margin ?? 1);
  return reduceLoss(relu(sub(margin, mul(t, x))), reduction);
});

export interface MultiMarginOptions {
  p?: 1 | 2;
  margin?: number;
  /** Per-class weight [C]; each sample's loss is scaled by the weight of its target class. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * torch.nn.functional.multi_margin_loss: for input [N, C] (or [C]) and int32 targets [N] (or []),
 * loss_n = w[y]·Σ_{i≠y} max(0, margin − x[y] + x[i])^p / C. 'mean' averages over N.
 */
export const multiMargin = op((input: Tensor, target: Tensor, opts?: MultiMarginOptions): Tensor => {
  const name = 'multiMargin';
  const o = options(name, opts);
  const x0 = floatInput(name, input, 'input');
  if (x0.rank !== 1 && x0.rank !== 2) {
    throw new ShapeError(`${name}: expected 'input' of shape [N, C] or [C], got ${fmtShape(x0.shape)}`);
  }
  const unbatched = x0.rank === 1;
  const x = unbatched ? reshape(x0, [1, x0.shape[0]]) : x0;
  const [n, c] = x.shape;
  const reduction = checkReduction(name, o.reduction ?? 'mean', REDUCTIONS);
  const margin = checkMargin(name, o.margin ?? 1);
  const p = o.p ?? 1;
  if (p !== 1 && p !== 2) throw new ValueError(`${name}: p must be 1 or 2, got ${String(p)}`);
  const weight =
    o.weight === undefined || o.weight === null ? null : sameShapeAs(name, o.weight, 'weight', [c], x.dtype);

  const t = assertTensor(name, target, 'target');
  if (t.dtype !== 'int32')
    throw new DTypeError(`${name}: expected 'target' of class indices to be int32, got ${t.dtype}`);
  const want = unbatched ? [] : [n];
  if (!shapesEqual(t.shape, want)) {
    throw new ShapeError(
      `${name}: expected 'target' of shape ${fmtShape(want)} for input ${fmtShape(x0.shape)}, got ${fmtShape(t.shape)}`,
    );
  }
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= c) {
      throw new ValueError(
        `${name}: target value ${values[i]} is out of range for ${c} classes (expected 0 <= target < ${c})`,
      );
    }
  }

  const isTarget = eq(reshape(arange(c), [1, c]), unsqueeze(reshape(t, [n]), 1));
  const xTarget = sum(where(isTarget, x, 0), 1, true);
  let h = relu(add(sub(margin, xTarget), x));
  if (p === 2) h = square(h);
  // The target's own column is excluded from the sum (it would add max(0, margin)^p).
  let loss = div(sum(where(isTarget, 0, h), 1), c);
  if (weight) loss = mul(loss, sum(where(isTarget, reshape(weight, [1, c]), 0), 1));
  if (unbatched) loss = reshape(loss, []);
  return reduceLoss(loss, reduction);
});
