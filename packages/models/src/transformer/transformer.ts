/**
 * A small GPT (Radford et al. 2019, as Karpathy's nanoGPT writes it): token and learned position
 * embeddings, a stack of pre-LayerNorm causal self-attention blocks, a final LayerNorm, and logits
 * from the token embedding itself (weight tying, Press & Wolf 2017: one [V, D] matrix embeds
 * tokens and scores them, which saves V·D parameters and helps small models). Trains with the
 * supervised step (`fit` with `loss: crossEntropy` over [B·T, V]) or its own `trainStep` on
 * {x, y} next-token windows; samples with `generate`, seeded.
 */
import {
  Dropout,
  Embedding,
  type LayerConfig,
  LayerNorm,
  Module,
  registerLayer,
  Sequential,
} from '@axon/layers';
import {
  add,
  arange,
  assign,
  checkOptions,
  checkPositiveInt,
  checkProbability,
  crossEntropy,
  fmtShape,
  matmul,
  mul,
  narrow,
  randn,
  reshape,
  ShapeError,
  type Tensor,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { inference } from '../charlm/inference';
import { checkPrompt, checkSampling, type GenerateOptions, sampleNext } from '../charlm/sampling';
import { checkTokens } from '../charlm/tokens';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { TransformerBlock } from './block';

export interface TransformerLmOptions {
  /** Distinct tokens. */
  vocabSize: number;
  /** The longest context (positions 0 … blockSize − 1 have an embedding). */
  blockSize: number;
  /** Width of the residual stream, a multiple of numHeads. */
  embedDim: number;
  /** Attention heads per block. */
  numHeads: number;
  /** Blocks. */
  numLayers: number;
  /** Dropout after the embeddings and on every sub-layer's output, in training (default 0). */
  dropout?: number;
}

/** Embeddings start N(0, 0.02), as GPT-2's: with tied output weights, N(0, 1) would give huge first logits. */
const EMBEDDING_STD = 0.02;

/**
 * The GPT. Children: `wte` (Embedding [V, D], also the output weight), `wpe` (Embedding
 * [blockSize, D]), `drop`, `blocks` (Sequential of TransformerBlock), `lnF` (LayerNorm). x [B, T]
 * int32 with T <= blockSize → logits [B, T, V]. Registered as 'TransformerLM'.
 */
export class TransformerLM extends Module implements SteppedModel {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly embedDim: number;
  readonly numHeads: number;
  readonly numLayers: number;
  readonly dropout: number;
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly drop: Dropout;
  readonly blocks: Sequential;
  readonly lnF: LayerNorm;

  constructor(options: TransformerLmOptions) {
    super();
    const fn = 'transformerLM';
    const o = checkOptions(fn, options);
    this.vocabSize = checkPositiveInt(fn, 'vocabSize', o.vocabSize);
    this.blockSize = checkPositiveInt(fn, 'blockSize', o.blockSize);
    this.embedDim = checkPositiveInt(fn, 'embedDim', o.embedDim);
    this.numHeads = checkPositiveInt(fn, 'numHeads', o.numHeads);
    this.numLayers = checkPositiveInt(fn, 'numLayers', o.numLayers);
    this.dropout = checkProbability(fn, 'dropout', o.dropout ?? 0);
    if (this.embedDim % this.numHeads !== 0) {
      throw new ValueError(
        `${fn}: expected embedDim to be a multiple of numHeads ${this.numHeads}, got ${this.embedDim}`,
      );
    }
    this.wte = this.addModule('wte', new Embedding(this.vocabSize, this.embedDim));
    this.wpe = this.addModule('wpe', new Embedding(this.blockSize, this.embedDim));
    tidy(() => {
      for (const w of [this.wte.weight, this.wpe.weight]) assign(w, mul(randn(w.shape), EMBEDDING_STD));
    });
    this.drop = this.addModule('drop', new Dropout(this.dropout));
    const blocks = Array.from(
      { length: this.numLayers },
      () => new TransformerBlock({ embedDim: this.embedDim, numHeads: this.numHeads, dropout: this.dropout }),
    );
    this.blocks = this.addModule('blocks', new Sequential(...blocks));
    this.lnF = this.addModule('lnF', new LayerNorm(this.embedDim));
  }

  /** The output projection [V, D]: the token embedding's weight itself (tied), not a copy. */
  get outputWeight(): Tensor {
    return this.wte.weight;
  }

  /** x [B, T] int32 (T <= blockSize) → logits [B, T, vocabSize]; position t sees tokens 0 … t only. */
  forward(x: Tensor): Tensor {
    checkTokens('TransformerLM', 'x', x, this.blockSize);
    const T = x.shape[1];
    const positions = reshape(arange(0, T, 1, 'int32'), [1, T]);
    let h = this.drop.forward(add(this.wte.forward(x), this.wpe.forward(positions)));
    h = this.lnF.forward(this.blocks.forward(h));
    return matmul(h, this.wte.weight, { transposeB: true });
  }

  /** The mean next-token cross-entropy of `batch.x` → `batch.y` ([B, T] int32 each). */
  loss(x: Tensor, y: Tensor): Tensor {
    const target = checkTokens('TransformerLM.loss', 'y', y);
    if (target.shape.join() !== x.shape.join()) {
      throw new ShapeError(
        `TransformerLM.loss: expected y to have x's shape ${fmtShape(x.shape)} (next-token targets), got ${fmtShape(y.shape)}`,
      );
    }
    const [B, T] = x.shape;
    return crossEntropy(reshape(this.forward(x), [B * T, this.vocabSize]), reshape(target, [B * T]));
  }

  /** One update on the next-token loss of a batch {x, y}. */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const context = checkContext('TransformerLM.trainStep', ctx);
    const { x, y } = checkBatch('TransformerLM.trainStep', batch);
    const loss = this.loss(x, y as Tensor);
    context.minimize(loss);
    return { loss };
  }

  /** The next-token loss of a batch, without an update. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    checkContext('TransformerLM.evalStep', ctx);
    const { x, y } = checkBatch('TransformerLM.evalStep', batch);
    return { loss: this.loss(x, y as Tensor) };
  }

  /**
   * `options.length` new token ids after `prompt`: each step runs the last `blockSize` tokens
   * through the network (no cache: the context is short) and draws the next from the last
   * position's logits with `options.generator`, temperature and top-k. Eval mode, no gradients.
   */
  generate(prompt: ArrayLike<number>, options: GenerateOptions): number[] {
    const ids = checkPrompt('TransformerLM.generate', prompt, this.vocabSize);
    const config = checkSampling('TransformerLM.generate', options, this.vocabSize);
    const context = [...ids];
    const out: number[] = [];
    inference(this, () => {
      for (let i = 0; i < config.length; i++) {
        const window = context.slice(-this.blockSize);
        const id = tidy(() => {
          const x = tensor(Int32Array.from(window), { shape: [1, window.length], dtype: 'int32' });
          const last = narrow(this.forward(x), 1, window.length - 1, 1);
          return sampleNext(reshape(last, [1, this.vocabSize]), config).dataSync()[0];
        });
        context.push(id);
        out.push(id);
      }
    });
    return out;
  }

  override config(): LayerConfig {
    return {
      vocabSize: this.vocabSize,
      blockSize: this.blockSize,
      embedDim: this.embedDim,
      numHeads: this.numHeads,
      numLayers: this.numLayers,
      dropout: this.dropout,
    };
  }

  static fromConfig(config: LayerConfig): TransformerLM {
    return new TransformerLM(config as unknown as TransformerLmOptions);
  }
}

registerLayer('TransformerLM', TransformerLM);

/**
 * Builds a {@link TransformerLM}: token + position embeddings → `numLayers` pre-LN causal blocks →
 * LayerNorm → logits through the tied token embedding. Throws ValueError naming `transformerLM`.
 */
export function transformerLM(options: TransformerLmOptions): TransformerLM {
  return new TransformerLM(options);
}
