import { fromSpec, type LayerConfig, type LayerSpec, Module, registerLayer, specOf } from '@axon/layers';
import { add, fmtShape, full, mul, op, ShapeError, Tensor, ValueError } from '@axon/tensor';

/**
 * The functional core: x + α·fx, where fx is the block's output for x (same shape) and α a
 * learnable scale of shape [1].
 */
export const scaledResidual = op((x: Tensor, fx: Tensor, alpha: Tensor): Tensor => {
  for (const [label, t] of [
    ['x', x],
    ['fx', fx],
    ['alpha', alpha],
  ] as const) {
    if (!(t instanceof Tensor)) throw new ValueError(`scaledResidual: expected ${label} to be a Tensor`);
  }
  if (fx.shape.join() !== x.shape.join()) {
    throw new ShapeError(
      `scaledResidual: expected fx of shape ${fmtShape(x.shape)}, got ${fmtShape(fx.shape)}`,
    );
  }
  if (alpha.shape.join() !== '1') {
    throw new ShapeError(`scaledResidual: expected alpha of shape [1], got ${fmtShape(alpha.shape)}`);
  }
  return add(x, mul(alpha, fx));
});

export interface ScaledResidualOptions {
  /** The initial α (default 0, as ReZero: the block starts as the identity). */
  init?: number;
}

/**
 * y = x + α·block(x), a residual connection around any module whose output has its input's
 * shape. Parameter `alpha` [1]; the block's own state is under `block.` ('block.weight', ...).
 * Its config holds the block's spec, so a model file rebuilds the block too.
 */
export class ScaledResidual extends Module {
  readonly block: Module;
  readonly init: number;
  readonly alpha: Tensor;

  constructor(block: Module, options: ScaledResidualOptions = {}) {
    super();
    if (!(block instanceof Module)) throw new ValueError('ScaledResidual: expected block to be a Module');
    const init = options.init ?? 0;
    if (typeof init !== 'number' || !Number.isFinite(init)) {
      throw new ValueError(`ScaledResidual: expected init to be a finite number, got ${String(init)}`);
    }
    this.init = init;
    this.alpha = this.addParameter('alpha', full([1], init));
    this.block = this.addModule('block', block);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new ValueError('ScaledResidual: expected input to be a Tensor');
    const fx = (this.block as unknown as { forward(t: Tensor): Tensor }).forward(x);
    if (fx.shape.join() !== x.shape.join()) {
      throw new ShapeError(
        `ScaledResidual: expected the block to keep the input's shape ${fmtShape(x.shape)}, got ${fmtShape(fx.shape)}`,
      );
    }
    return scaledResidual(x, fx, this.alpha);
  }

  override config(): LayerConfig {
    return { block: specOf(this.block), init: this.init };
  }

  static fromConfig(config: LayerConfig): ScaledResidual {
    return new ScaledResidual(fromSpec(config.block as LayerSpec), { init: config.init as number });
  }
}

registerLayer('ScaledResidual', ScaledResidual);
