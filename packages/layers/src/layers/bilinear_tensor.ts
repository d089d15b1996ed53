import {
  add,
  concat,
  fmtShape,
  matmul,
  mul,
  op,
  permute,
  reshape,
  ShapeError,
  sum,
  type Tensor,
  tanh,
  tidy,
} from '@axon/tensor';
import { reserveElements } from '../allocation';
import { kaimingUniform } from '../init';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkBool, checkInt, checkTensor, fanInUniform } from './conv_args';
import { linear } from './linear';

/**
 * The RNTN composition (Socher et al. 2013): for x = concat(c1, c2) of length 2d,
 * p_k = tanh(xᵀ V[k] x + (W x)_k + b_k), with V [d, 2d, 2d] (each slice V[k] not symmetric),
 * W [d, 2d] and an optional b [d]. c1 and c2 are [..., d] (leading dims are batch); the result
 * is [..., d].
 */
export const bilinearTensor = op(
  (c1: Tensor, c2: Tensor, V: Tensor, W: Tensor, b?: Tensor | null): Tensor => {
    const name = 'bilinearTensor';
    checkTensor(name, c1, 'c1');
    checkTensor(name, c2, 'c2');
    checkTensor(name, V, 'V');
    checkTensor(name, W, 'W');
    if (V.rank !== 3 || V.shape[1] !== 2 * V.shape[0] || V.shape[2] !== 2 * V.shape[0]) {
      throw new ShapeError(`${name}: expected V of shape [d, 2d, 2d], got ${fmtShape(V.shape)}`);
    }
    const d = V.shape[0];
    if (W.rank !== 2 || W.shape[0] !== d || W.shape[1] !== 2 * d) {
      throw new ShapeError(
        `${name}: expected W [${d}, ${2 * d}] for V ${fmtShape(V.shape)}, got ${fmtShape(W.shape)}`,
      );
    }
    if (b !== undefined && b !== null) {
      checkTensor(name, b, 'b');
      if (b.rank !== 1 || b.shape[0] !== d) {
        throw new ShapeError(`${name}: expected b [${d}], got ${fmtShape(b.shape)}`);
      }
    }
    checkChildren(name, c1, c2, d);
    const lead = c1.shape.slice(0, -1);
    const m = lead.reduce((n, s) => n * s, 1);
    const x = reshape(concat([c1, c2], -1), [m, 2 * d]);
    // u[m, k, j] = Σ_i x[m, i] V[k, i, j]; then t[m, k] = Σ_j u[m, k, j] x[m, j].
    const u = reshape(matmul(x, reshape(permute(V, [1, 0, 2]), [2 * d, 2 * d * d])), [m, d, 2 * d]);
    const t = sum(mul(u, reshape(x, [m, 1, 2 * d])), -1);
    return reshape(tanh(add(t, linear(x, W, b))), [...lead, d]);
  },
);

function checkChildren(layer: string, c1: Tensor, c2: Tensor, d: number): void {
  for (const [what, c] of [
    ['c1', c1],
    ['c2', c2],
  ] as const) {
    if (c.rank < 1 || c.shape[c.rank - 1] !== d) {
      throw new ShapeError(`${layer}: expected ${what} [..., ${d}], got ${fmtShape(c.shape)}`);
    }
  }
  if (c1.shape.join() !== c2.shape.join()) {
    throw new ShapeError(
      `${layer}: expected c1 and c2 of the same shape, got ${fmtShape(c1.shape)} and ${fmtShape(c2.shape)}`,
    );
  }
}

export interface BilinearTensorOptions {
  /** Whether to learn the additive bias b (default true). */
  bias?: boolean;
}

/**
 * The RNTN composition layer: forward(c1, c2) = tanh(xᵀ V x + W x + b) for x = concat(c1, c2),
 * with parameters 'V' [dim, 2·dim, 2·dim], 'W' [dim, 2·dim] and 'b' [dim]. Each is initialised as
 * torch initialises a Linear weight, U(±1/√fanIn): ±1/(2·dim) for V, ±1/√(2·dim) for W and b.
 */
export class BilinearTensor extends Module {
  readonly dim: number;
  readonly V: Tensor;
  readonly W: Tensor;
  readonly b: Tensor | null;

  constructor(dim: number, options: BilinearTensorOptions = {}) {
    super();
    this.dim = checkInt('BilinearTensor', 'dim', dim, 1);
    const hasBias = checkBool('BilinearTensor', 'bias', options.bias ?? true);
    const V = [dim, 2 * dim, 2 * dim];
    const W = [dim, 2 * dim];
    reserveElements('BilinearTensor', hasBias ? [V, W, [dim]] : [V, W]);
    this.V = this.addParameter(
      'V',
      tidy(() => kaimingUniform([dim, 2 * dim, 2 * dim], { a: Math.sqrt(5) })),
    );
    this.W = this.addParameter(
      'W',
      tidy(() => kaimingUniform([dim, 2 * dim], { a: Math.sqrt(5) })),
    );
    this.b = hasBias ? this.addParameter('b', fanInUniform([dim], 2 * dim)) : null;
  }

  forward(c1: Tensor, c2: Tensor): Tensor {
    checkTensor('BilinearTensor', c1, 'c1');
    checkTensor('BilinearTensor', c2, 'c2');
    checkChildren('BilinearTensor', c1, c2, this.dim);
    return bilinearTensor(c1, c2, this.V, this.W, this.b);
  }

  override config(): LayerConfig {
    return { dim: this.dim, bias: this.b !== null };
  }

  static fromConfig(c: LayerConfig): BilinearTensor {
    return new BilinearTensor(c.dim as number, { bias: c.bias as boolean | undefined });
  }
}

registerLayer('BilinearTensor', BilinearTensor);
