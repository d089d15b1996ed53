import {
  bernoulli,
  DTypeError,
  div,
  type Generator,
  isFloat,
  mul,
  op,
  type Tensor,
  ValueError,
} from '@axon/tensor';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkProbability, checkTensor } from './conv_args';

export interface DropoutOptions {
  /** The source of the masks (default: the generator seeded by `manualSeed`). */
  generator?: Generator;
}

/**
 * torch.nn.functional.dropout (inverted dropout): in training, each element is zeroed with
 * probability p and the kept ones are scaled by 1/(1 − p), so the expected value is unchanged;
 * the mask is a bernoulli(1 − p) draw from the seeded generator. Out of training (or with p = 0)
 * it returns x itself. p = 1 gives zeros.
 */
export const dropout = op((x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor => {
  checkTensor('dropout', x, 'x');
  checkProbability('dropout', 'p', p);
  if (typeof training !== 'boolean') {
    throw new ValueError(`dropout: expected training to be a boolean, got ${String(training)}`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`dropout: expected x to be float32 or float64, got ${x.dtype}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = bernoulli(1 - p, x.shape, { generator: options.generator, dtype: x.dtype });
  return div(mul(x, keep), 1 - p);
});

/**
 * torch.nn.Dropout(p = 0.5): inverted dropout with a seeded bernoulli mask while training
 * (`train()`), the identity in evaluation (`eval()`).
 */
export class Dropout extends Module {
  readonly p: number;
  readonly generator: Generator | undefined;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    this.p = checkProbability('Dropout', 'p', p);
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    checkTensor('Dropout', x);
    if (!isFloat(x.dtype))
      throw new DTypeError(`Dropout: expected a float32 or float64 input, got ${x.dtype}`);
    return dropout(x, this.p, this.training, { generator: this.generator });
  }

  override config(): LayerConfig {
    return { p: this.p };
  }

  static fromConfig(c: LayerConfig): Dropout {
    return new Dropout(c.p as number | undefined);
  }
}

registerLayer('Dropout', Dropout);
