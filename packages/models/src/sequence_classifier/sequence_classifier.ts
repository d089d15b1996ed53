/**
 * A recurrent sentence classifier: word embeddings → (bi)LSTM/GRU → a pooled or last-state summary
 * → dropout → linear over the classes. Sentences in a batch are right-padded with `padId`; the
 * pooling leaves padded positions out (masked mean, masked max; 'last' reads the forward
 * direction at each sentence's last real token and the backward direction at its first). The
 * recurrence itself still steps over the padding (there are no packed sequences), so batches of
 * similar lengths (bucketing) keep that effect small. Trains with the supervised step:
 * `fit(model, { loss: crossEntropy, ... })` on {x: tokens [B, T], y: labels [B]}.
 */
import { Dropout, Embedding, GRU, type LayerConfig, Linear, LSTM, Module, registerLayer } from '@axon/layers';
import {
  cast,
  checkBoolean,
  checkInteger,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  checkProbability,
  concat,
  div,
  eq,
  expand,
  gather,
  logicalNot,
  max,
  narrow,
  reshape,
  sub,
  sum,
  type Tensor,
  unsqueeze,
  where,
} from '@axon/tensor';
import { checkTokens } from '../charlm/tokens';

export const SEQUENCE_POOLINGS = ['mean', 'max', 'last'] as const;
export type SequencePooling = (typeof SEQUENCE_POOLINGS)[number];
export const SEQUENCE_CELLS = ['lstm', 'gru'] as const;
export type SequenceCell = (typeof SEQUENCE_CELLS)[number];

export interface SequenceClassifierOptions {
  /** Distinct tokens, the padding id included. */
  vocabSize: number;
  embeddingDim: number;
  /** Units per direction of each recurrent layer. */
  hiddenSize: number;
  /** Output classes (logits [B, numClasses]). */
  numClasses: number;
  /** 'lstm' (default) or 'gru'. */
  cell?: SequenceCell;
  /** Read the sentence both ways and concatenate (default true). */
  bidirectional?: boolean;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** 'mean' (default), 'max' over time, or 'last' (the final state of each direction). */
  pooling?: SequencePooling;
  /** Dropout on the embeddings, between recurrent layers and before the head (default 0). */
  dropout?: number;
  /** The padding token id (default 0): its embedding stays zero and pooling skips it. */
  padId?: number;
}

/**
 * The classifier. Children: `embedding` (paddingIdx = padId), `rnn` (LSTM or GRU, batch first),
 * `drop`, `head` (Linear D·H → numClasses, D = 2 when bidirectional). x [B, T] int32 → logits
 * [B, numClasses]. Every sentence needs at least one real token. Registered as 'SequenceClassifier'.
 */
export class SequenceClassifier extends Module {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly numClasses: number;
  readonly cell: SequenceCell;
  readonly bidirectional: boolean;
  readonly numLayers: number;
  readonly pooling: SequencePooling;
  readonly dropout: number;
  readonly padId: number;
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU;
  readonly drop: Dropout;
  readonly head: Linear;

  constructor(options: SequenceClassifierOptions) {
    super();
    const fn = 'sequenceClassifier';
    const o = checkOptions(fn, options);
    this.vocabSize = checkPositiveInt(fn, 'vocabSize', o.vocabSize);
    this.embeddingDim = checkPositiveInt(fn, 'embeddingDim', o.embeddingDim);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', o.hiddenSize);
    this.numClasses = checkPositiveInt(fn, 'numClasses', o.numClasses);
    this.cell = checkOneOf(fn, 'cell', o.cell ?? 'lstm', SEQUENCE_CELLS);
    this.bidirectional = checkBoolean(fn, 'bidirectional', o.bidirectional ?? true);
    this.numLayers = checkPositiveInt(fn, 'numLayers', o.numLayers ?? 1);
    this.pooling = checkOneOf(fn, 'pooling', o.pooling ?? 'mean', SEQUENCE_POOLINGS);
    this.dropout = checkProbability(fn, 'dropout', o.dropout ?? 0);
    this.padId = checkInteger(fn, 'padId', o.padId ?? 0, { min: 0, max: this.vocabSize - 1 });
    this.embedding = this.addModule(
      'embedding',
      new Embedding(this.vocabSize, this.embeddingDim, { paddingIdx: this.padId }),
    );
    const Layer = this.cell === 'lstm' ? LSTM : GRU;
    this.rnn = this.addModule(
      'rnn',
      new Layer(this.embeddingDim, this.hiddenSize, {
        numLayers: this.numLayers,
        batchFirst: true,
        bidirectional: this.bidirectional,
        dropout: this.numLayers > 1 ? this.dropout : 0,
      }),
    );
    this.drop = this.addModule('drop', new Dropout(this.dropout));
    const width = (this.bidirectional ? 2 : 1) * this.hiddenSize;
    this.head = this.addModule('head', new Linear(width, this.numClasses));
  }

  /** x [B, T] int32, right-padded with padId → logits [B, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.drop.forward(this.encode(x)));
  }

  /** x [B, T] → the pooled sentence vectors [B, D·hiddenSize] the head reads. */
  encode(x: Tensor): Tensor {
    checkTokens('SequenceClassifier', 'x', x);
    const real = unsqueeze(logicalNot(eq(x, this.padId)), 2); // [B, T, 1]
    const out = this.rnn.forward(this.drop.forward(this.embedding.forward(x))).output; // [B, T, D·H]
    if (this.pooling === 'mean') {
      return div(sum(where(real, out, 0), 1), sum(cast(real, out.dtype), 1));
    }
    if (this.pooling === 'max') return max(where(real, out, Number.NEGATIVE_INFINITY), 1);
    // 'last': the forward direction at the last real token (position length − 1) ...
    const [B] = x.shape;
    const H = this.hiddenSize;
    const lengths = sum(cast(real, out.dtype), 1); // [B, 1]
    const index = expand(reshape(cast(sub(lengths, 1), 'int32'), [B, 1, 1]), [B, 1, H]);
    const last = reshape(gather(narrow(out, 2, 0, H), 1, index), [B, H]);
    if (!this.bidirectional) return last;
    // ... and the backward direction at the first token, where it has read the whole sentence.
    const first = reshape(narrow(narrow(out, 2, H, H), 1, 0, 1), [B, H]);
    return concat([last, first], 1);
  }

  override config(): LayerConfig {
    return {
      vocabSize: this.vocabSize,
      embeddingDim: this.embeddingDim,
      hiddenSize: this.hiddenSize,
      numClasses: this.numClasses,
      cell: this.cell,
      bidirectional: this.bidirectional,
      numLayers: this.numLayers,
      pooling: this.pooling,
      dropout: this.dropout,
      padId: this.padId,
    };
  }

  static fromConfig(config: LayerConfig): SequenceClassifier {
    return new SequenceClassifier(config as unknown as SequenceClassifierOptions);
  }
}

registerLayer('SequenceClassifier', SequenceClassifier);

/** Builds a {@link SequenceClassifier}. Throws ValueError naming `sequenceClassifier` for a bad option. */
export function sequenceClassifier(options: SequenceClassifierOptions): SequenceClassifier {
  return new SequenceClassifier(options);
}
