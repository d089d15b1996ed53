import { add, assign, div, fullLike, mul, sqrt, square, sub, type Tensor } from '@axon/tensor';
import { checkNumber, Optimizer, type ParamGroup, type ParamState, type Params } from './optimizer';

export interface AdagradOptions {
  lr?: number;
  /** The learning rate at step t is lr / (1 + (t − 1)·lrDecay). */
  lrDecay?: number;
  /** L2 penalty, added to the gradient. */
  weightDecay?: number;
  /** The starting value of the sum of squared gradients. */
  initialAccumulatorValue?: number;
  eps?: number;
}

export type AdagradGroupOptions = Required<AdagradOptions>;

/**
 * Adagrad (torch.optim.Adagrad, torch 1.13): g = grad + weightDecay·p;
 * clr = lr / (1 + (t − 1)·lrDecay); sum = sum + g² (from initialAccumulatorValue);
 * p = p − clr·g/(√sum + eps). State per parameter: `step`, `sum`.
 */
export class Adagrad extends Optimizer<AdagradGroupOptions> {
  constructor(params: Params, options: AdagradOptions = {}) {
    super('Adagrad', params, options, {
      lr: 0.01,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
    });
  }

  protected validateGroup(g: ParamGroup & AdagradGroupOptions): void {
    checkNumber('Adagrad', 'lr', g.lr, { min: 0 });
    checkNumber('Adagrad', 'lrDecay', g.lrDecay, { min: 0 });
    checkNumber('Adagrad', 'weightDecay', g.weightDecay, { min: 0 });
    checkNumber('Adagrad', 'initialAccumulatorValue', g.initialAccumulatorValue, { min: 0 });
    checkNumber('Adagrad', 'eps', g.eps, { min: 0 });
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup & AdagradGroupOptions): void {
    const step = this.nextStep(state);
    if (g.weightDecay !== 0) grad = add(grad, mul(p, g.weightDecay));
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = this.buffer(state, 'sum', () => fullLike(p, g.initialAccumulatorValue));
    const next = add(sum, square(grad));
    assign(sum, next);
    assign(p, sub(p, mul(div(grad, add(sqrt(next), g.eps)), clr)));
  }
}
