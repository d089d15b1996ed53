/**
 * Functional losses, composed from existing ops (no kernel of their own). Regression losses live
 * here; classification, binary and margin losses in loss_*.ts, re-exported below. Each takes
 * `reduction: 'none' | 'mean' | 'sum'` (default 'mean') and follows torch.nn.functional.
 */
import { fmtShape, ShapeError } from '../errors';
import type { Tensor } from '../tensor';
import { add, div, exp, mul, square, sub } from './elementwise';
import { checkReduction, floatInput, options, type Reduction, reduceLoss, sameShapeAs } from './loss_util';
import { sum } from './reduce';
import { op } from './util';

export * from './loss_binary';
export * from './loss_cross_entropy';
export * from './loss_margin';
export type { Reduction } from './loss_util';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

export interface MseOptions {
  reduction?: Reduction;
}

/**
 * (input − target)² per element. The target must have the input's shape: torch would broadcast
 * with a warning that it is likely a bug, so this throws instead.
 */
export const mse = op((input: Tensor, target: Tensor, opts?: MseOptions): Tensor => {
  const o = options('mse', opts);
  const x = floatInput('mse', input, 'input');
  const t = sameShapeAs('mse', target, 'target', x.shape, x.dtype);
  const reduction = checkReduction('mse', o.reduction ?? 'mean', REDUCTIONS);
  return reduceLoss(square(sub(x, t)), reduction);
});

export type KlReduction = 'none' | 'mean' | 'sum' | 'batchmean';

export interface KlDivGaussianOptions {
  reduction?: KlReduction;
}

/**
 * KL(N(mu, exp(logVar)) ‖ N(0, 1)) per element, −0.5·(1 + logVar − mu² − exp(logVar)), as in a
 * VAE. 'sum' adds over all elements, 'batchmean' divides that sum by the batch size shape[0],
 * 'mean' averages over all elements, 'none' keeps them.
 */
export const klDivGaussian = op((mu: Tensor, logVar: Tensor, opts?: KlDivGaussianOptions): Tensor => {
  const name = 'klDivGaussian';
  const o = options(name, opts);
  const m = floatInput(name, mu, 'mu');
  const lv = sameShapeAs(name, floatInput(name, logVar, 'logVar'), 'logVar', m.shape, m.dtype);
  const reduction = checkReduction(name, o.reduction ?? 'mean', [
    'none',
    'mean',
    'sum',
    'batchmean',
  ] as const);
  if (reduction === 'batchmean' && m.rank === 0) {
    throw new ShapeError(`${name}: 'batchmean' needs a batch dim, got mu of shape ${fmtShape(m.shape)}`);
  }
  const kl = mul(sub(sub(add(lv, 1), square(m)), exp(lv)), -0.5);
  if (reduction === 'batchmean') return div(sum(kl), m.shape[0]);
  return reduceLoss(kl, reduction);
});
