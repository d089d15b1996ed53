/**
 * A recurrent encoder–decoder with attention (Bahdanau et al. 2015; Luong et al. 2015): a GRU or
 * LSTM encoder (optionally bidirectional) reads the source; the decoder, one cell step per output
 * token, attends from its previous state over the encoder outputs, feeds [token embedding;
 * context] to its cell, and predicts from tanh(W [state; context]) (Luong's attentional state).
 * Training is teacher forced (the gold previous token is fed); `greedy` and `beamSearch` (in
 * decode.ts) decode and return the attention weights of every output token.
 */
import {
  Dropout,
  Embedding,
  GRU,
  GRUCell,
  type LayerConfig,
  Linear,
  LSTM,
  LSTMCell,
  Module,
  registerLayer,
} from '@axon/layers';
import {
  cast,
  checkBoolean,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  checkProbability,
  concat,
  crossEntropy,
  div,
  eq,
  fmtShape,
  logicalNot,
  narrow,
  reshape,
  ShapeError,
  stack,
  sum,
  type Tensor,
  tanh,
  unsqueeze,
  ValueError,
  where,
  zeros,
} from '@axon/tensor';
import { checkTokens } from '../charlm/tokens';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { SEQ2SEQ_ATTENTIONS, type Seq2SeqAttention, SeqAttention } from './attention';
import {
  type BeamSearchOptions,
  type BeamSearchResult,
  beamSearch,
  type GreedyOptions,
  type GreedyResult,
  greedyDecode,
} from './decode';

export const SEQ2SEQ_CELLS = ['gru', 'lstm'] as const;
export type Seq2SeqCell = (typeof SEQ2SEQ_CELLS)[number];

export interface Seq2SeqOptions {
  /** Source tokens (the padding id included). */
  srcVocabSize: number;
  /** Target tokens (padding, begin and end ids included). */
  tgtVocabSize: number;
  /** Width of both token embeddings. */
  embeddingDim: number;
  /** Units of the encoder (per direction) and of the decoder. */
  hiddenSize: number;
  /** 'gru' (default) or 'lstm', for both encoder and decoder. */
  cell?: Seq2SeqCell;
  /** A bidirectional encoder (default false): its outputs are [forward; backward], 2·hiddenSize wide. */
  bidirectional?: boolean;
  /** Stacked encoder layers (default 1). */
  encoderLayers?: number;
  /** 'additive' (Bahdanau, default) or 'dot' (Luong's general score). */
  attention?: Seq2SeqAttention;
  /** Dropout on the embeddings and before the output layer, in training (default 0). */
  dropout?: number;
  /** The padding id, in both vocabularies (default 0): not attended to, not scored. */
  padId?: number;
  /** The begin-of-sequence id of the target vocabulary (default 1): the decoder's first input. */
  bosId?: number;
  /** The end-of-sequence id of the target vocabulary (default 2): decoding stops there. */
  eosId?: number;
}

/** The decoder's recurrent state: h [B, H], and for an LSTM the cell state c [B, H]. */
export interface DecoderState {
  h: Tensor;
  c: Tensor | null;
}

/** What the decoder attends to, computed once per source batch by `encode`. */
export interface EncoderMemory {
  /** [B, S, D·H]: the encoder outputs (the attention's keys and values). */
  keys: Tensor;
  /** [B, S, H]: the keys through the attention's key projection. */
  projected: Tensor;
  /** [B, S] bool: true at padded source positions. */
  padding: Tensor;
  /** The decoder's first state, from the mean of the encoder outputs over the real tokens. */
  state: DecoderState;
}

/** One decoder step's results. */
export interface DecoderStep {
  /** [B, tgtVocabSize]. */
  logits: Tensor;
  state: DecoderState;
  /** [B, S]: the attention weights used for this step. */
  weights: Tensor;
}

/**
 * The encoder–decoder. Children: `srcEmbedding`, `encoder` (GRU/LSTM, batch first), `bridge`
 * (Linear D·H → H: the decoder's first state is tanh(bridge(mean encoder output))),
 * `tgtEmbedding`, `decoder` (GRUCell/LSTMCell over [embedding; context]), `attention`,
 * `combine` (Linear H + D·H → H), `drop`, `out` (Linear H → tgtVocabSize). Registered as 'Seq2Seq'.
 */
export class Seq2Seq extends Module implements SteppedModel {
  readonly srcVocabSize: number;
  readonly tgtVocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly cell: Seq2SeqCell;
  readonly bidirectional: boolean;
  readonly encoderLayers: number;
  readonly attentionKind: Seq2SeqAttention;
  readonly dropout: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly srcEmbedding: Embedding;
  readonly encoder: GRU | LSTM;
  readonly bridge: Linear;
  readonly tgtEmbedding: Embedding;
  readonly decoder: GRUCell | LSTMCell;
  readonly attention: SeqAttention;
  readonly combine: Linear;
  readonly drop: Dropout;
  readonly out: Linear;

  constructor(options: Seq2SeqOptions) {
    super();
    const fn = 'seq2seq';
    const o = checkOptions(fn, options);
    this.srcVocabSize = checkPositiveInt(fn, 'srcVocabSize', o.srcVocabSize);
    this.tgtVocabSize = checkPositiveInt(fn, 'tgtVocabSize', o.tgtVocabSize);
    this.embeddingDim = checkPositiveInt(fn, 'embeddingDim', o.embeddingDim);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', o.hiddenSize);
    this.cell = checkOneOf(fn, 'cell', o.cell ?? 'gru', SEQ2SEQ_CELLS);
    this.bidirectional = checkBoolean(fn, 'bidirectional', o.bidirectional ?? false);
    this.encoderLayers = checkPositiveInt(fn, 'encoderLayers', o.encoderLayers ?? 1);
    this.attentionKind = checkOneOf(fn, 'attention', o.attention ?? 'additive', SEQ2SEQ_ATTENTIONS);
    this.dropout = checkProbability(fn, 'dropout', o.dropout ?? 0);
    const special = (name: string, v: unknown, fallback: number, vocab: number): number => {
      const id = v ?? fallback;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new ValueError(`${fn}: expected ${name} to be a token id in [0, ${vocab}), got ${String(id)}`);
      }
      return id;
    };
    this.padId = special('padId', o.padId, 0, Math.min(this.srcVocabSize, this.tgtVocabSize));
    this.bosId = special('bosId', o.bosId, 1, this.tgtVocabSize);
    this.eosId = special('eosId', o.eosId, 2, this.tgtVocabSize);
    if (new Set([this.padId, this.bosId, this.eosId]).size !== 3) {
      throw new ValueError(
        `${fn}: expected padId, bosId and eosId to differ, got ${this.padId}, ${this.bosId} and ${this.eosId}`,
      );
    }
    const E = this.embeddingDim;
    const H = this.hiddenSize;
    const K = (this.bidirectional ? 2 : 1) * H;
    this.srcEmbedding = this.addModule(
      'srcEmbedding',
      new Embedding(this.srcVocabSize, E, { paddingIdx: this.padId }),
    );
    const Encoder = this.cell === 'lstm' ? LSTM : GRU;
    this.encoder = this.addModule(
      'encoder',
      new Encoder(E, H, {
        batchFirst: true,
        bidirectional: this.bidirectional,
        numLayers: this.encoderLayers,
      }),
    );
    this.bridge = this.addModule('bridge', new Linear(K, H));
    this.tgtEmbedding = this.addModule(
      'tgtEmbedding',
      new Embedding(this.tgtVocabSize, E, { paddingIdx: this.padId }),
    );
    const Cell = this.cell === 'lstm' ? LSTMCell : GRUCell;
    this.decoder = this.addModule('decoder', new Cell(E + K, H));
    this.attention = this.addModule('attention', new SeqAttention(this.attentionKind, H, K));
    this.combine = this.addModule('combine', new Linear(H + K, H));
    this.drop = this.addModule('drop', new Dropout(this.dropout));
    this.out = this.addModule('out', new Linear(H, this.tgtVocabSize));
  }

  /** src [B, S] int32 (padded with padId) → the memory the decoder attends to, and its first state. */
  encode(src: Tensor): EncoderMemory {
    checkTokens('Seq2Seq.encode', 'src', src);
    const padding = eq(src, this.padId);
    const e = this.drop.forward(this.srcEmbedding.forward(src));
    const keys = this.encoder.forward(e).output;
    const real = unsqueeze(logicalNot(padding), 2);
    const count = sum(cast(real, keys.dtype), 1); // [B, 1]
    const meanKeys = div(sum(where(real, keys, 0), 1), count);
    const h = tanh(this.bridge.forward(meanKeys));
    const c = this.cell === 'lstm' ? zeros(h.shape) : null;
    return { keys, projected: this.attention.forward(keys), padding, state: { h, c } };
  }

  /** One decoder step: the previous tokens prev [B] int32 and state → logits [B, V], state, weights. */
  decodeStep(prev: Tensor, state: DecoderState, memory: EncoderMemory): DecoderStep {
    const emb = this.drop.forward(this.tgtEmbedding.forward(prev));
    const { context, weights } = this.attention.attend(
      state.h,
      memory.keys,
      memory.projected,
      memory.padding,
    );
    const input = concat([emb, context], 1);
    let next: DecoderState;
    if (this.decoder instanceof LSTMCell) {
      const r = this.decoder.forward(input, state.h, state.c);
      next = { h: r.h, c: r.c };
    } else {
      next = { h: this.decoder.forward(input, state.h), c: null };
    }
    const attentional = tanh(this.combine.forward(concat([next.h, context], 1)));
    return { logits: this.out.forward(this.drop.forward(attentional)), state: next, weights };
  }

  /**
   * Teacher forcing: src [B, S] and the decoder inputs tgtIn [B, T] (BOS, then the gold tokens but
   * the last) → logits [B, T, V] and the attention weights [B, T, S].
   */
  teacherForced(src: Tensor, tgtIn: Tensor): { logits: Tensor; attention: Tensor } {
    checkTokens('Seq2Seq', 'tgtIn', tgtIn);
    const memory = this.encode(src);
    if (tgtIn.shape[0] !== src.shape[0]) {
      throw new ShapeError(
        `Seq2Seq: expected tgtIn [${src.shape[0]}, T] (src's batch), got ${fmtShape(tgtIn.shape)}`,
      );
    }
    const [B, T] = tgtIn.shape;
    let state = memory.state;
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const step = this.decodeStep(reshape(narrow(tgtIn, 1, t, 1), [B]), state, memory);
      logits.push(step.logits);
      weights.push(step.weights);
      state = step.state;
    }
    return { logits: stack(logits, 1), attention: stack(weights, 1) };
  }

  /** src [B, S], tgtIn [B, T] → logits [B, T, tgtVocabSize] (teacher forced). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    return this.teacherForced(src, tgtIn).logits;
  }

  /**
   * The mean cross-entropy of the target tokens: `tgt` [B, T + 1] is BOS, the tokens, EOS, then
   * padding; the decoder reads tgt[:, :T] and predicts tgt[:, 1:], padding left out.
   */
  loss(src: Tensor, tgt: Tensor): Tensor {
    checkTokens('Seq2Seq.loss', 'tgt', tgt);
    const [B, T1] = tgt.shape;
    if (T1 < 2) {
      throw new ShapeError(
        `Seq2Seq.loss: expected tgt [B, T + 1] with BOS and at least one more token, got ${fmtShape(tgt.shape)}`,
      );
    }
    const T = T1 - 1;
    const logits = this.forward(src, narrow(tgt, 1, 0, T));
    const target = reshape(narrow(tgt, 1, 1, T), [B * T]);
    return crossEntropy(reshape(logits, [B * T, this.tgtVocabSize]), target, { ignoreIndex: this.padId });
  }

  /** One teacher-forced update on {x: src [B, S], y: tgt [B, T + 1]} (see `loss`). */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const context = checkContext('Seq2Seq.trainStep', ctx);
    const { x, y } = checkBatch('Seq2Seq.trainStep', batch);
    const loss = this.loss(x, checkTokens('Seq2Seq.trainStep', 'batch.y', y));
    context.minimize(loss);
    return { loss };
  }

  /** The teacher-forced loss of a batch, without an update. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    checkContext('Seq2Seq.evalStep', ctx);
    const { x, y } = checkBatch('Seq2Seq.evalStep', batch);
    return { loss: this.loss(x, checkTokens('Seq2Seq.evalStep', 'batch.y', y)) };
  }

  /** Greedy decoding of every row of src [B, S]; see {@link greedyDecode}. */
  greedy(src: Tensor, options: GreedyOptions = {}): GreedyResult[] {
    return greedyDecode(this, src, options);
  }

  /** Beam search for one source sentence src [1, S]; see {@link beamSearch}. */
  beamSearch(src: Tensor, options: BeamSearchOptions = {}): BeamSearchResult {
    return beamSearch(this, src, options);
  }

  override config(): LayerConfig {
    return {
      srcVocabSize: this.srcVocabSize,
      tgtVocabSize: this.tgtVocabSize,
      embeddingDim: this.embeddingDim,
      hiddenSize: this.hiddenSize,
      cell: this.cell,
      bidirectional: this.bidirectional,
      encoderLayers: this.encoderLayers,
      attention: this.attentionKind,
      dropout: this.dropout,
      padId: this.padId,
      bosId: this.bosId,
      eosId: this.eosId,
    };
  }

  static fromConfig(config: LayerConfig): Seq2Seq {
    return new Seq2Seq(config as unknown as Seq2SeqOptions);
  }
}

registerLayer('Seq2Seq', Seq2Seq);

/** Builds a {@link Seq2Seq}. Throws ValueError naming `seq2seq` for a bad option. */
export function seq2seq(options: Seq2SeqOptions): Seq2Seq {
  return new Seq2Seq(options);
}
