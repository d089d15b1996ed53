import {
  add,
  DTypeError,
  exp,
  fmtShape,
  type Generator,
  isFloat,
  mul,
  op,
  randn,
  ShapeError,
  type Tensor,
} from '@axon/tensor';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkTensor } from './conv_args';

function checkSameShape(layer: string, mean: Tensor, other: Tensor, what: string): void {
  if (mean.shape.join() !== other.shape.join()) {
    throw new ShapeError(
      `${layer}: expected ${what} shaped like mean ${fmtShape(mean.shape)}, got ${fmtShape(other.shape)}`,
    );
  }
}

/**
 * The reparameterisation trick of a VAE: mean + exp(0.5·logVar)·eps, for a noise tensor eps
 * (standard normal, usually) of the same shape. Differentiable in mean and logVar.
 */
export const gaussianSample = op((mean: Tensor, logVar: Tensor, eps: Tensor): Tensor => {
  checkTensor('gaussianSample', mean, 'mean');
  checkTensor('gaussianSample', logVar, 'logVar');
  checkTensor('gaussianSample', eps, 'eps');
  checkSameShape('gaussianSample', mean, logVar, 'logVar');
  checkSameShape('gaussianSample', mean, eps, 'eps');
  return add(mean, mul(exp(mul(logVar, 0.5)), eps));
});

export interface GaussianSampleOptions {
  /** The source of ε (default: the generator seeded by `manualSeed`). */
  generator?: Generator;
}

/**
 * Samples z ~ N(mean, exp(logVar)) by reparameterisation: forward(mean, logVar) = mean +
 * exp(0.5·logVar)·ε with ε ~ N(0, 1) from the seeded generator while training; in evaluation
 * (`eval()`) it returns mean.
 */
export class GaussianSample extends Module {
  readonly generator: Generator | undefined;

  constructor(options: GaussianSampleOptions = {}) {
    super();
    this.generator = options.generator;
  }

  forward(mean: Tensor, logVar: Tensor): Tensor {
    checkTensor('GaussianSample', mean, 'mean');
    checkTensor('GaussianSample', logVar, 'logVar');
    checkSameShape('GaussianSample', mean, logVar, 'logVar');
    if (!isFloat(mean.dtype)) {
      throw new DTypeError(`GaussianSample: expected a float32 or float64 mean, got ${mean.dtype}`);
    }
    if (!this.training) return mean;
    const eps = randn(mean.shape, { dtype: mean.dtype, generator: this.generator });
    // eps stays alive: autograd may need it for logVar's gradient (a user tidy frees it).
    return gaussianSample(mean, logVar, eps);
  }

  override config(): LayerConfig {
    return {};
  }

  static fromConfig(): GaussianSample {
    return new GaussianSample();
  }
}

registerLayer('GaussianSample', GaussianSample);
