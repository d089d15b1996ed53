/**
 * The two attention scores of the classic encoder–decoder: additive (Bahdanau et al. 2015),
 * score(q, k) = vᵀ tanh(W_q q + W_k k), and multiplicative (Luong et al. 2015, "general"),
 * score(q, k) = qᵀ W k. The keys' projection depends only on the encoder output, so `prepare`
 * computes it once per source sentence and every decoder step reuses it. Padded source positions
 * get a score of −∞, so each row of weights sums to 1 over the real tokens.
 */
import { type LayerConfig, Linear, Module, registerLayer } from '@axon/layers';
import { add, matmul, reshape, softmax, squeeze, type Tensor, tanh, unsqueeze, where } from '@axon/tensor';

export const SEQ2SEQ_ATTENTIONS = ['additive', 'dot'] as const;
export type Seq2SeqAttention = (typeof SEQ2SEQ_ATTENTIONS)[number];

/** The attention's output for a batch of queries. */
export interface Attended {
  /** [B, keyDim]: the weighted sum of the keys (the encoder outputs). */
  context: Tensor;
  /** [B, S]: softmax over the source positions; 0 at padding. */
  weights: Tensor;
}

/**
 * Scores a decoder state q [B, queryDim] against encoder outputs k [B, S, keyDim]. Children:
 * `keyProj` (keyDim → A, no bias), and for 'additive' `queryProj` (queryDim → A) and `v` (A → 1, no
 * bias), with A = queryDim; for 'dot' A = queryDim and the score is q · keyProj(k).
 */
export class SeqAttention extends Module {
  readonly kind: Seq2SeqAttention;
  readonly queryDim: number;
  readonly keyDim: number;
  readonly keyProj: Linear;
  readonly queryProj: Linear | null = null;
  readonly v: Linear | null = null;

  constructor(kind: Seq2SeqAttention, queryDim: number, keyDim: number) {
    super();
    this.kind = kind;
    this.queryDim = queryDim;
    this.keyDim = keyDim;
    this.keyProj = this.addModule('keyProj', new Linear(keyDim, queryDim, { bias: false }));
    if (kind === 'additive') {
      this.queryProj = this.addModule('queryProj', new Linear(queryDim, queryDim));
      this.v = this.addModule('v', new Linear(queryDim, 1, { bias: false }));
    }
  }

  /** keys [B, S, keyDim] → the projected keys [B, S, queryDim], computed once per source. */
  forward(keys: Tensor): Tensor {
    return this.keyProj.forward(keys);
  }

  /**
   * query [B, queryDim] against `keys` [B, S, keyDim] (projected: `projected`, from forward) with
   * `padding` [B, S] bool (true = a padded position, never attended) → context and weights.
   */
  attend(query: Tensor, keys: Tensor, projected: Tensor, padding: Tensor): Attended {
    const [B, S] = padding.shape;
    let scores: Tensor;
    if (this.queryProj && this.v) {
      const q = unsqueeze(this.queryProj.forward(query), 1); // [B, 1, A]
      scores = reshape(this.v.forward(tanh(add(projected, q))), [B, S]);
    } else {
      scores = squeeze(matmul(projected, unsqueeze(query, 2)), 2); // [B, S, A] × [B, A, 1]
    }
    const weights = softmax(where(padding, Number.NEGATIVE_INFINITY, scores), -1);
    const context = squeeze(matmul(unsqueeze(weights, 1), keys), 1); // [B, 1, S] × [B, S, K]
    return { context, weights };
  }

  override config(): LayerConfig {
    return { kind: this.kind, queryDim: this.queryDim, keyDim: this.keyDim };
  }

  static fromConfig(config: LayerConfig): SeqAttention {
    return new SeqAttention(
      config.kind as Seq2SeqAttention,
      config.queryDim as number,
      config.keyDim as number,
    );
  }
}

registerLayer('SeqAttention', SeqAttention);
