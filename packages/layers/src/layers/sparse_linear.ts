import {
  bernoulli,
  defaultGenerator,
  fmtShape,
  Generator,
  mul,
  op,
  randint,
  ShapeError,
  type Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { reserveElements } from '../allocation';
import { kaimingUniform } from '../init';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkBool, checkInt, checkTensor, fanInUniform, show } from './conv_args';
import { linear } from './linear';

/**
 * A linear map through a fixed connectivity pattern: y = x (W ⊙ M)ᵀ + b, with weight W and 0/1
 * mask M both [out, in]. The gradient of W is zero wherever M is 0.
 */
export const sparseLinear = op((x: Tensor, weight: Tensor, mask: Tensor, bias?: Tensor | null): Tensor => {
  checkTensor('sparseLinear', weight, 'weight');
  checkTensor('sparseLinear', mask, 'mask');
  if (mask.shape.join() !== weight.shape.join()) {
    throw new ShapeError(
      `sparseLinear: expected mask shaped like weight ${fmtShape(weight.shape)}, got ${fmtShape(mask.shape)}`,
    );
  }
  return linear(x, mul(weight, mask), bias);
});

export interface SparseLinearOptions {
  /** The fraction of connections kept, in (0, 1] (default 0.1). */
  density?: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /**
   * The seed of the generator the mask is drawn from. Default: drawn from the default generator
   * (so `manualSeed` makes it reproducible); it is stored in config() either way.
   */
  seed?: number;
}

/**
 * A Linear layer whose weight is multiplied by a fixed random 0/1 connectivity mask (each
 * connection kept with probability `density`), drawn once from `new Generator(seed)` and kept as
 * the buffer 'mask'. The weight is initialised as Linear's and zeroed where the mask is 0;
 * masked weights get zero gradient, so they stay zero under any optimizer without weight decay.
 */
export class SparseLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly density: number;
  readonly seed: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly mask: Tensor;

  constructor(inFeatures: number, outFeatures: number, options: SparseLinearOptions = {}) {
    super();
    const name = 'SparseLinear';
    this.inFeatures = checkInt(name, 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt(name, 'outFeatures', outFeatures, 1);
    const density = options.density ?? 0.1;
    if (typeof density !== 'number' || !(density > 0 && density <= 1)) {
      throw new ValueError(`${name}: expected density to be a number in (0, 1], got ${show(density)}`);
    }
    this.density = density;
    const hasBias = checkBool(name, 'bias', options.bias ?? true);
    this.seed =
      options.seed === undefined
        ? tidy(() => randint(0, 2 ** 31 - 1, [], { generator: defaultGenerator() }).item())
        : checkInt(name, 'seed', options.seed, 0);
    const shape = [outFeatures, inFeatures];
    reserveElements(name, hasBias ? [shape, shape, [outFeatures]] : [shape, shape]);
    const mask = tidy(() => bernoulli(density, shape, { generator: new Generator(this.seed) }));
    this.mask = this.addBuffer('mask', mask);
    this.weight = this.addParameter(
      'weight',
      tidy(() => mul(kaimingUniform(shape, { a: Math.sqrt(5) }), mask)),
    );
    this.bias = hasBias ? this.addParameter('bias', fanInUniform([outFeatures], inFeatures)) : null;
  }

  forward(x: Tensor): Tensor {
    checkTensor('SparseLinear', x);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(
        `SparseLinear: expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`,
      );
    }
    return sparseLinear(x, this.weight, this.mask, this.bias);
  }

  /** The number of kept connections. */
  connections(): number {
    return tidy(() => this.mask.sum().item());
  }

  override config(): LayerConfig {
    return {
      inFeatures: this.inFeatures,
      outFeatures: this.outFeatures,
      density: this.density,
      bias: this.bias !== null,
      seed: this.seed,
    };
  }

  static fromConfig(c: LayerConfig): SparseLinear {
    return new SparseLinear(c.inFeatures as number, c.outFeatures as number, {
      density: c.density as number | undefined,
      bias: c.bias as boolean | undefined,
      seed: c.seed as number | undefined,
    });
  }
}

registerLayer('SparseLinear', SparseLinear);
