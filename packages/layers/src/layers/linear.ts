import { add, fmtShape, matmul, op, reshape, ShapeError, type Tensor, tidy } from '@axon/tensor';
import { reserveElements } from '../allocation';
import { kaimingUniform } from '../init';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkBool, checkInt, checkTensor, fanInUniform } from './conv_args';

/**
 * torch.nn.functional.linear: y = x Wᵀ + b over the last axis of x [..., in] (leading dims are
 * batch), with weight [out, in] and an optional bias [out]. Gives [..., out].
 */
export const linear = op((x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor => {
  checkTensor('linear', x, 'x');
  checkTensor('linear', weight, 'weight');
  if (weight.rank !== 2) {
    throw new ShapeError(`linear: expected weight of rank 2 [out, in], got ${fmtShape(weight.shape)}`);
  }
  const [outF, inF] = weight.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== inF) {
    throw new ShapeError(
      `linear: expected x [..., ${inF}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(x.shape)}`,
    );
  }
  if (bias !== undefined && bias !== null) {
    checkTensor('linear', bias, 'bias');
    if (bias.rank !== 1 || bias.shape[0] !== outF) {
      throw new ShapeError(`linear: expected bias [${outF}], got ${fmtShape(bias.shape)}`);
    }
  }
  // A batch of rows [N, in] needs no reshape (each would be one more view and graph node a step).
  const flat = x.rank === 2;
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((n, d) => n * d, 1);
  let y = matmul(flat ? x : reshape(x, [rows, inF]), weight, { transposeB: true });
  if (bias) y = add(y, bias);
  return flat ? y : reshape(y, [...lead, outF]);
});

export interface LinearOptions {
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * torch.nn.Linear: y = x Wᵀ + b, weight [outFeatures, inFeatures], bias [outFeatures]. Both are
 * initialised as torch does: kaiming uniform with a = √5, i.e. U(±1/√inFeatures), for the weight
 * and U(±1/√inFeatures) for the bias.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkInt('Linear', 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('Linear', 'outFeatures', outFeatures, 1);
    const bias = checkBool('Linear', 'bias', options.bias ?? true);
    reserveElements(
      'Linear',
      bias ? [[outFeatures, inFeatures], [outFeatures]] : [[outFeatures, inFeatures]],
    );
    this.weight = this.addParameter(
      'weight',
      tidy(() => kaimingUniform([outFeatures, inFeatures], { a: Math.sqrt(5) })),
    );
    this.bias = bias ? this.addParameter('bias', fanInUniform([outFeatures], inFeatures)) : null;
  }

  forward(x: Tensor): Tensor {
    checkTensor('Linear', x);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear: expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override config(): LayerConfig {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }

  static fromConfig(config: LayerConfig): Linear {
    return new Linear(config.inFeatures as number, config.outFeatures as number, {
      bias: config.bias as boolean | undefined,
    });
  }
}

registerLayer('Linear', Linear);
