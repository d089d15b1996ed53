import { add, assign, div, mul, sqrt, square, sub, type Tensor, zerosLike } from '@axon/tensor';
import {
  checkBoolean,
  checkNumber,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type Params,
} from './optimizer';

export interface RMSpropOptions {
  lr?: number;
  /** Smoothing constant of the squared-gradient average. */
  alpha?: number;
  eps?: number;
  /** L2 penalty, added to the gradient. */
  weightDecay?: number;
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment. */
  centered?: boolean;
}

export type RMSpropGroupOptions = Required<RMSpropOptions>;

/**
 * RMSprop (torch.optim.RMSprop, torch 1.13): g = grad + weightDecay·p; v = α·v + (1 − α)·g² (from
 * 0, no bias correction); centered: ḡ = α·ḡ + (1 − α)·g and denom = √(v − ḡ²) + eps, else
 * denom = √v + eps; with momentum buf = momentum·buf + g/denom and p = p − lr·buf, else
 * p = p − lr·g/denom. State per parameter: `step`, `squareAvg`, `momentumBuffer`, `gradAvg`.
 */
export class RMSprop extends Optimizer<RMSpropGroupOptions> {
  constructor(params: Params, options: RMSpropOptions = {}) {
    super('RMSprop', params, options, {
      lr: 0.01,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
    });
  }

  protected validateGroup(g: ParamGroup & RMSpropGroupOptions): void {
    checkNumber('RMSprop', 'lr', g.lr, { min: 0 });
    checkNumber('RMSprop', 'alpha', g.alpha, { min: 0 });
    checkNumber('RMSprop', 'eps', g.eps, { min: 0 });
    checkNumber('RMSprop', 'weightDecay', g.weightDecay, { min: 0 });
    checkNumber('RMSprop', 'momentum', g.momentum, { min: 0 });
    checkBoolean('RMSprop', 'centered', g.centered);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup & RMSpropGroupOptions): void {
    this.nextStep(state);
    const zeros = () => zerosLike(p);
    if (g.weightDecay !== 0) grad = add(grad, mul(p, g.weightDecay));
    const squareAvg = this.buffer(state, 'squareAvg', zeros);
    const v = add(mul(squareAvg, g.alpha), mul(square(grad), 1 - g.alpha));
    assign(squareAvg, v);
    let avg: Tensor;
    if (g.centered) {
      const gradAvg = this.buffer(state, 'gradAvg', zeros);
      const mean = add(mul(gradAvg, g.alpha), mul(grad, 1 - g.alpha));
      assign(gradAvg, mean);
      avg = sqrt(sub(v, square(mean)));
    } else {
      avg = sqrt(v);
    }
    avg = add(avg, g.eps);
    if (g.momentum > 0) {
      const buf = this.buffer(state, 'momentumBuffer', zeros);
      const next = add(mul(buf, g.momentum), div(grad, avg));
      assign(buf, next);
      assign(p, sub(p, mul(next, g.lr)));
    } else {
      assign(p, sub(p, mul(div(grad, avg), g.lr)));
    }
  }
}
