import { adamStep, assign, type Tensor, ValueError, zerosLike } from '@axon/tensor';
import {
  checkBoolean,
  checkNumber,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type Params,
} from './optimizer';

export interface AdamOptions {
  lr?: number;
  /** Decay rates of the first and second moment estimates. */
  betas?: [number, number];
  eps?: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay, p ← p·(1 − lr·weightDecay). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad?: boolean;
}

export type AdamGroupOptions = Required<AdamOptions>;

function validateAdam(name: string, g: ParamGroup & AdamGroupOptions): void {
  checkNumber(name, 'lr', g.lr, { min: 0 });
  checkNumber(name, 'eps', g.eps, { min: 0 });
  if (!Array.isArray(g.betas) || g.betas.length !== 2) {
    throw new ValueError(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(g.betas)}`);
  }
  checkNumber(name, 'betas[0]', g.betas[0], { min: 0, max: 1, exclusiveMax: true });
  checkNumber(name, 'betas[1]', g.betas[1], { min: 0, max: 1, exclusiveMax: true });
  checkNumber(name, 'weightDecay', g.weightDecay, { min: 0 });
  checkBoolean(name, 'amsgrad', g.amsgrad);
}

/**
 * One Adam update (torch 1.13's single-tensor path), through @axon/tensor's `adamStep` (fused into
 * one pass where the backend has the kernel). `decoupled`: AdamW's weight decay, applied to the
 * parameter first; otherwise the decay is an L2 term added to the gradient.
 */
function adamUpdate(
  step: number,
  p: Tensor,
  grad: Tensor,
  buffer: (key: string) => Tensor,
  g: ParamGroup & AdamGroupOptions,
  decoupled: boolean,
): void {
  const [beta1, beta2] = g.betas;
  const expAvg = buffer('expAvg');
  const expAvgSq = buffer('expAvgSq');
  const maxExpAvgSq = g.amsgrad ? buffer('maxExpAvgSq') : null;
  const next = adamStep(p, grad, expAvg, expAvgSq, maxExpAvgSq, {
    lr: g.lr,
    beta1,
    beta2,
    eps: g.eps,
    weightDecay: g.weightDecay,
    decoupled,
    amsgrad: g.amsgrad,
    step,
  });
  assign(expAvg, next.expAvg);
  assign(expAvgSq, next.expAvgSq);
  if (maxExpAvgSq && next.maxExpAvgSq) assign(maxExpAvgSq, next.maxExpAvgSq);
  assign(p, next.param);
}

/**
 * Adam (torch.optim.Adam, torch 1.13): g = grad + weightDecay·p; m = β1·m + (1 − β1)·g;
 * v = β2·v + (1 − β2)·g²; p = p − lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + eps), with v replaced by its
 * running maximum under amsgrad. State per parameter: `step`, `expAvg`, `expAvgSq`, `maxExpAvgSq`.
 */
export class Adam extends Optimizer<AdamGroupOptions> {
  constructor(params: Params, options: AdamOptions = {}) {
    super('Adam', params, options, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    });
  }

  protected validateGroup(g: ParamGroup & AdamGroupOptions): void {
    validateAdam('Adam', g);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup & AdamGroupOptions): void {
    const step = this.nextStep(state);
    adamUpdate(step, p, grad, (key) => this.buffer(state, key, () => zerosLike(p)), g, false);
  }
}

/**
 * AdamW (torch.optim.AdamW, torch 1.13): p = p·(1 − lr·weightDecay) first, then the Adam update
 * without the L2 term. Defaults as Adam's, except weightDecay = 0.01.
 */
export class AdamW extends Optimizer<AdamGroupOptions> {
  constructor(params: Params, options: AdamOptions = {}) {
    super('AdamW', params, options, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0.01,
      amsgrad: false,
    });
  }

  protected validateGroup(g: ParamGroup & AdamGroupOptions): void {
    validateAdam('AdamW', g);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup & AdamGroupOptions): void {
    const step = this.nextStep(state);
    adamUpdate(step, p, grad, (key) => this.buffer(state, key, () => zerosLike(p)), g, true);
  }
}
