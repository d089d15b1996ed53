/**
 * Activation modules, after torch.nn's. Each wraps the functional activation of @axon/tensor of
 * the same name (its functional core), and takes torch's constructor arguments.
 */
import {
  elu,
  gelu,
  leakyRelu,
  logSoftmax,
  relu,
  sigmoid,
  softmax,
  softplus,
  step,
  type Tensor,
  tanh,
  ValueError,
} from '@axon/tensor';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkNumber, checkTensor, show } from './conv_args';

/** An activation without arguments. */
abstract class Elementwise extends Module {
  protected abstract readonly layer: string;
  protected abstract compute(x: Tensor): Tensor;

  forward(x: Tensor): Tensor {
    return this.compute(checkTensor(this.layer, x));
  }
}

/** The Heaviside step: 1 where x > 0, else 0. Its gradient is 0 everywhere. */
export class Step extends Elementwise {
  protected readonly layer = 'Step';
  protected compute(x: Tensor): Tensor {
    return step(x);
  }
  static fromConfig(): Step {
    return new Step();
  }
}

export class Sigmoid extends Elementwise {
  protected readonly layer = 'Sigmoid';
  protected compute(x: Tensor): Tensor {
    return sigmoid(x);
  }
  static fromConfig(): Sigmoid {
    return new Sigmoid();
  }
}

export class Tanh extends Elementwise {
  protected readonly layer = 'Tanh';
  protected compute(x: Tensor): Tensor {
    return tanh(x);
  }
  static fromConfig(): Tanh {
    return new Tanh();
  }
}

export class ReLU extends Elementwise {
  protected readonly layer = 'ReLU';
  protected compute(x: Tensor): Tensor {
    return relu(x);
  }
  static fromConfig(): ReLU {
    return new ReLU();
  }
}

/** torch.nn.LeakyReLU(negativeSlope = 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(checkTensor('LeakyReLU', x), this.negativeSlope);
  }
  override config(): LayerConfig {
    return { negativeSlope: this.negativeSlope };
  }
  static fromConfig(c: LayerConfig): LeakyReLU {
    return new LeakyReLU(c.negativeSlope as number | undefined);
  }
}

/** torch.nn.ELU(alpha = 1). */
export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1) {
    super();
    this.alpha = checkNumber('ELU', 'alpha', alpha);
  }
  forward(x: Tensor): Tensor {
    return elu(checkTensor('ELU', x), this.alpha);
  }
  override config(): LayerConfig {
    return { alpha: this.alpha };
  }
  static fromConfig(c: LayerConfig): ELU {
    return new ELU(c.alpha as number | undefined);
  }
}

/** torch.nn.GELU(approximate = 'none'): exact (erf), or the tanh approximation. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new ValueError(`GELU: expected approximate to be 'none' or 'tanh', got ${show(approximate)}`);
    }
    this.approximate = approximate;
  }
  forward(x: Tensor): Tensor {
    return gelu(checkTensor('GELU', x), this.approximate);
  }
  override config(): LayerConfig {
    return { approximate: this.approximate };
  }
  static fromConfig(c: LayerConfig): GELU {
    return new GELU(c.approximate as 'none' | 'tanh' | undefined);
  }
}

/** torch.nn.Softplus(beta = 1, threshold = 20): (1/β)·log(1 + exp(β·x)), x itself where β·x > threshold. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = checkNumber('Softplus', 'beta', beta);
    if (beta === 0) throw new ValueError('Softplus: beta must be non-zero, got 0');
    this.threshold = checkNumber('Softplus', 'threshold', threshold);
  }
  forward(x: Tensor): Tensor {
    return softplus(checkTensor('Softplus', x), this.beta, this.threshold);
  }
  override config(): LayerConfig {
    return { beta: this.beta, threshold: this.threshold };
  }
  static fromConfig(c: LayerConfig): Softplus {
    return new Softplus(c.beta as number | undefined, c.threshold as number | undefined);
  }
}

function checkDim(layer: string, dim: unknown): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new ValueError(`${layer}: expected dim to be an integer, got ${show(dim)}`);
  }
  return dim;
}

/** torch.nn.Softmax(dim = -1). */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = checkDim('Softmax', dim);
  }
  forward(x: Tensor): Tensor {
    return softmax(checkTensor('Softmax', x), this.dim);
  }
  override config(): LayerConfig {
    return { dim: this.dim };
  }
  static fromConfig(c: LayerConfig): Softmax {
    return new Softmax(c.dim as number | undefined);
  }
}

/** torch.nn.LogSoftmax(dim = -1). */
export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = checkDim('LogSoftmax', dim);
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(checkTensor('LogSoftmax', x), this.dim);
  }
  override config(): LayerConfig {
    return { dim: this.dim };
  }
  static fromConfig(c: LayerConfig): LogSoftmax {
    return new LogSoftmax(c.dim as number | undefined);
  }
}

registerLayer('Step', Step);
registerLayer('Sigmoid', Sigmoid);
registerLayer('Tanh', Tanh);
registerLayer('ReLU', ReLU);
registerLayer('LeakyReLU', LeakyReLU);
registerLayer('ELU', ELU);
registerLayer('GELU', GELU);
registerLayer('Softplus', Softplus);
registerLayer('Softmax', Softmax);
registerLayer('LogSoftmax', LogSoftmax);
