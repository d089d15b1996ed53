import { add, assign, mul, sub, type Tensor, ValueError } from '@axon/tensor';
import {
  checkBoolean,
  checkNumber,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type Params,
} from './optimizer';

export interface SGDOptions {
  /** Learning rate (required, as in torch). */
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty, added to the gradient. */
  weightDecay?: number;
}

export type SGDGroupOptions = Required<SGDOptions>;

/**
 * Stochastic gradient descent with optional momentum (torch.optim.SGD, torch 1.13):
 * g = grad + weightDecay·p; with momentum, buf = g on a parameter's first step and
 * buf = momentum·buf + (1 − dampening)·g after; g = g + momentum·buf (nesterov) or buf;
 * p = p − lr·g. State per parameter: `momentumBuffer` (when momentum ≠ 0).
 */
export class SGD extends Optimizer<SGDGroupOptions> {
  constructor(params: Params, options: SGDOptions) {
    super('SGD', params, options, {
      lr: undefined,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
    });
  }

  protected validateGroup(g: ParamGroup & SGDGroupOptions): void {
    checkNumber('SGD', 'lr', g.lr, { min: 0 });
    checkNumber('SGD', 'momentum', g.momentum, { min: 0 });
    checkNumber('SGD', 'dampening', g.dampening);
    checkNumber('SGD', 'weightDecay', g.weightDecay, { min: 0 });
    if (checkBoolean('SGD', 'nesterov', g.nesterov) && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ValueError('SGD: nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup & SGDGroupOptions): void {
    let d = g.weightDecay !== 0 ? add(grad, mul(p, g.weightDecay)) : grad;
    if (g.momentum !== 0) {
      const existing = state.momentumBuffer;
      const buf = this.buffer(state, 'momentumBuffer', () => d.clone());
      if (existing) assign(buf, add(mul(buf, g.momentum), mul(d, 1 - g.dampening)));
      d = g.nesterov ? add(d, mul(buf, g.momentum)) : buf;
    }
    assign(p, sub(p, mul(d, g.lr)));
  }
}
