import { type LayerConfig, Module, registerLayer } from '@axon/layers';
import { fmtShape, full, mul, op, reshape, ShapeError, sigmoid, Tensor, ValueError } from '@axon/tensor';

function checkTensor(name: string, x: unknown, label: string): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${name}: expected ${label} to be a Tensor`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new ValueError(`${name}: expected ${label} to be float32 or float64, got ${x.dtype}`);
  }
  return x;
}

/**
 * The functional core: swish(x, β) = x · sigmoid(β·x) (SiLU when β = 1), with a learnable β of
 * shape [1] (one for all) or [C] (one per channel, along dim 1 of x, as PReLU does).
 */
export const swish = op((x: Tensor, beta: Tensor): Tensor => {
  checkTensor('swish', x, 'x');
  checkTensor('swish', beta, 'beta');
  if (beta.rank !== 1)
    throw new ShapeError(`swish: expected beta of shape [1] or [C], got ${fmtShape(beta.shape)}`);
  const c = beta.shape[0];
  let b = beta;
  if (c !== 1) {
    if (x.rank < 2 || x.shape[1] !== c) {
      throw new ShapeError(`swish: expected x [N, ${c}, ...] for beta [${c}], got ${fmtShape(x.shape)}`);
    }
    b = reshape(
      beta,
      x.shape.map((d, i) => (i === 1 ? d : 1)),
    );
  }
  return mul(x, sigmoid(mul(b, x)));
});

export interface SwishOptions {
  /** The initial β (default 1: SiLU). */
  init?: number;
}

/**
 * Swish with a learnable β: `new Swish(numChannels = 1, {init = 1})`, after torch.nn.PReLU's
 * arguments (its num_parameters is numChannels here: Module already has a numParameters()).
 * With numChannels > 1 there is one β per channel (dim 1 of the input). Parameter: `beta`
 * [numChannels].
 */
export class Swish extends Module {
  readonly numChannels: number;
  readonly init: number;
  readonly beta: Tensor;

  constructor(numChannels = 1, options: SwishOptions = {}) {
    super();
    if (!Number.isInteger(numChannels) || numChannels < 1) {
      throw new ValueError(`Swish: expected numChannels to be an integer >= 1, got ${String(numChannels)}`);
    }
    const init = options.init ?? 1;
    if (typeof init !== 'number' || !Number.isFinite(init)) {
      throw new ValueError(`Swish: expected init to be a finite number, got ${String(init)}`);
    }
    this.numChannels = numChannels;
    this.init = init;
    this.beta = this.addParameter('beta', full([numChannels], init));
  }

  forward(x: Tensor): Tensor {
    checkTensor('Swish', x, 'input');
    const c = this.numChannels;
    if (c > 1 && (x.rank < 2 || x.shape[1] !== c)) {
      throw new ShapeError(`Swish: expected input [N, ${c}, ...], got ${fmtShape(x.shape)}`);
    }
    return swish(x, this.beta);
  }

  override config(): LayerConfig {
    return { numChannels: this.numChannels, init: this.init };
  }

  static fromConfig(config: LayerConfig): Swish {
    return new Swish(config.numChannels as number, { init: config.init as number });
  }
}

registerLayer('Swish', Swish);
