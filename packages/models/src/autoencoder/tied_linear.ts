/**
 * The decoder layer of a tied-weight autoencoder: a Linear map that uses the transpose of an
 * encoder Linear's weight (W′ = Wᵀ) and owns only its bias. Tying halves the weights and acts as a
 * regulariser; the shared weight receives the gradient of both uses. The weight is not registered
 * here (it is the encoder's parameter), so the state dict holds it once and a loaded model is
 * tied again by its owner's constructor.
 */
import { type LayerConfig, type Linear, Module, registerLayer } from '@axon/layers';
import { add, fmtShape, matmul, ShapeError, type Tensor, ValueError, zeros } from '@axon/tensor';

/** y = x·W + b for the tied encoder layer's W [out, in]: maps [N, out] back to [N, in]. */
export class TiedLinear extends Module {
  /** The encoder layer whose weight is used, transposed. */
  readonly source: Linear;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [source.inFeatures], initialised to zero. */
  readonly bias: Tensor;

  constructor(source: Linear) {
    super();
    this.source = source;
    this.inFeatures = source.outFeatures;
    this.outFeatures = source.inFeatures;
    this.bias = this.addParameter('bias', zeros([this.outFeatures]));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ShapeError(`TiedLinear: expected input [N, ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    }
    return add(matmul(x, this.source.weight), this.bias);
  }

  override config(): LayerConfig {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures };
  }

  static fromConfig(): TiedLinear {
    throw new ValueError(
      'TiedLinear: cannot be rebuilt on its own, since it borrows the weight of the encoder Linear it is tied to; save and load the autoencoder that owns it',
    );
  }
}

registerLayer('TiedLinear', TiedLinear);
