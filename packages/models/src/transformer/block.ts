/**
 * One pre-LayerNorm GPT block (GPT-2, nanoGPT): x + attn(ln1(x)), then x + mlp(ln2(x)), with
 * causal multi-head self-attention and a 4× GELU MLP. Normalising before each sub-layer (not
 * after, as the 2017 Transformer did) keeps the residual path an identity, which lets a deep stack
 * train without learning-rate warm-up tricks.
 *
 * Attention is @axon/layers' `MultiheadAttention` with `causal: true` rather than a hand-written
 * copy with one fused [D, 3D] query/key/value projection: the two do the same matmuls (the packed
 * in_proj_weight is sliced, not copied per head), and measured forward + backward at B 16, T 128,
 * D 128, 4 heads on two busy cores, the module was no slower (fastest of 12 runs 331 ms against
 * 355 ms). It also brings a causal mask tested against torch, and torch's parameter names.
 */
import {
  Dropout,
  GELU,
  type LayerConfig,
  LayerNorm,
  Linear,
  Module,
  MultiheadAttention,
  registerLayer,
  Sequential,
} from '@axon/layers';
import { add, type Tensor } from '@axon/tensor';

export interface TransformerBlockOptions {
  embedDim: number;
  numHeads: number;
  /** Dropout on each sub-layer's output before it joins the residual stream (default 0). */
  dropout?: number;
}

/** x [B, T, D] → [B, T, D]; children `ln1`, `attn`, `ln2`, `mlp` (Linear D→4D, GELU, Linear 4D→D), `drop`. */
export class TransformerBlock extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly ln1: LayerNorm;
  readonly attn: MultiheadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Sequential;
  readonly drop: Dropout;

  constructor(options: TransformerBlockOptions) {
    super();
    const { embedDim: d, numHeads, dropout = 0 } = options;
    this.embedDim = d;
    this.numHeads = numHeads;
    this.dropout = dropout;
    this.ln1 = this.addModule('ln1', new LayerNorm(d));
    this.attn = this.addModule('attn', new MultiheadAttention(d, numHeads, { batchFirst: true }));
    this.ln2 = this.addModule('ln2', new LayerNorm(d));
    this.mlp = this.addModule('mlp', new Sequential(new Linear(d, 4 * d), new GELU(), new Linear(4 * d, d)));
    this.drop = this.addModule('drop', new Dropout(dropout));
  }

  forward(x: Tensor): Tensor {
    const h = this.ln1.forward(x);
    const a = this.attn.forward(h, h, h, { causal: true });
    const y = add(x, this.drop.forward(a));
    return add(y, this.drop.forward(this.mlp.forward(this.ln2.forward(y))));
  }

  override config(): LayerConfig {
    return { embedDim: this.embedDim, numHeads: this.numHeads, dropout: this.dropout };
  }

  static fromConfig(config: LayerConfig): TransformerBlock {
    return new TransformerBlock(config as unknown as TransformerBlockOptions);
  }
}

registerLayer('TransformerBlock', TransformerBlock);
