/**
 * The functional cores of attention, after torch: `scaledDotProductAttention`
 * (softmax(q kᵀ·scale + mask) v) and `multiheadAttention`. The `MultiheadAttention` Module in
 * `layers/attention.ts` calls these.
 */

import {
  add,
  arange,
  type DType,
  DTypeError,
  fmtShape,
  full,
  gt,
  isFloat,
  matmul,
  mean,
  mul,
  op,
  permute,
  reshape,
  ShapeError,
  softmax,
  type Tensor,
  ValueError,
  where,
} from '@axon/tensor';

// ---------------------------------------------------------------------------------------------
// Scaled dot-product attention
// ---------------------------------------------------------------------------------------------

export interface ScaledDotProductAttentionOptions {
  /** Mask out the future: position i attends to keys j <= i only (top-left aligned). Default false. */
  causal?: boolean;
  /** Multiplies q kᵀ. Default 1/√E, E = the last dim of q. */
  scale?: number;
  /**
   * A mask broadcastable to [..., Tq, Tk], as torch.nn.functional.scaled_dot_product_attention's
   * attn_mask: bool, where true means the position TAKES PART (false ones get −∞), or float, added
   * to the scores.
   */
  attnMask?: Tensor | null;
}

/** The output and the attention weights (softmax probabilities, [..., Tq, Tk]). */
export interface AttentionResult {
  out: Tensor;
  attn: Tensor;
}

function checkFloatInput(name: string, what: string, t: Tensor): void {
  if (!isFloat(t.dtype)) {
    throw new DTypeError(`${name}: expected '${what}' to be float32 or float64, got ${t.dtype}`);
  }
}

/**
 * The causal mask as a bias [tq, tk]: −∞ where j > i (the future), 0 elsewhere. Added to the
 * scores, as torch's reference attention does, rather than selected with `where`: the gradient of
 * an add passes dy through unchanged, where a select would build a masked copy of it.
 */
function causalBias(tq: number, tk: number, dtype: DType): Tensor {
  const future = gt(reshape(arange(tk), [1, tk]), reshape(arange(tq), [tq, 1]));
  return where(future, full([], Number.NEGATIVE_INFINITY, dtype), 0);
}

/**
 * softmax(q kᵀ · scale + mask) v with its weights: q [..., Tq, E], k [..., Tk, E], v [..., Tk, Ev]
 * (batch dims broadcast) → out [..., Tq, Ev], attn [..., Tq, Tk]. A row with every position
 * masked gives NaN, as in torch.
 */
export const scaledDotProductAttentionWithWeights = op(
  (q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): AttentionResult => {
    const name = 'scaledDotProductAttention';
    const { causal = false, attnMask = null } = options;
    checkFloatInput(name, 'q', q);
    checkFloatInput(name, 'k', k);
    checkFloatInput(name, 'v', v);
    if (q.rank < 2 || k.rank < 2 || v.rank < 2) {
      throw new ShapeError(
        `${name}: expected q [..., Tq, E], k [..., Tk, E] and v [..., Tk, Ev], got ${fmtShape(q.shape)}, ${fmtShape(k.shape)} and ${fmtShape(v.shape)}`,
      );
    }
    const e = q.shape[q.rank - 1];
    const tq = q.shape[q.rank - 2];
    const tk = k.shape[k.rank - 2];
    if (k.shape[k.rank - 1] !== e) {
      throw new ShapeError(`${name}: expected k [..., Tk, ${e}] (q's last dim), got ${fmtShape(k.shape)}`);
    }
    if (v.shape[v.rank - 2] !== tk) {
      throw new ShapeError(`${name}: expected v [..., ${tk}, Ev] (k's length), got ${fmtShape(v.shape)}`);
    }
    const scale = options.scale ?? 1 / Math.sqrt(e);
    if (!Number.isFinite(scale)) throw new ValueError(`${name}: scale must be a finite number, got ${scale}`);
    let scores = mul(matmul(q, k, { transposeB: true }), scale);
    if (attnMask) {
      scores =
        attnMask.dtype === 'bool' ? where(attnMask, scores, Number.NEGATIVE_INFINITY) : add(scores, attnMask);
    }
    if (causal) scores = add(scores, causalBias(tq, tk, scores.dtype));
    const attn = softmax(scores, -1);
    return { out: matmul(attn, v), attn };
  },
);

/**
 * softmax(q kᵀ · scale + mask) v (torch.nn.functional.scaled_dot_product_attention without
 * dropout); see `scaledDotProductAttentionWithWeights` for shapes and for the weights.
 */
export const scaledDotProductAttention = op(
  (q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor =>
    scaledDotProductAttentionWithWeights(q, k, v, options).out,
);

// ---------------------------------------------------------------------------------------------
// Multi-head attention
// ---------------------------------------------------------------------------------------------

/** The projections of multi-head attention, in torch.nn.Linear layout [out, in] (y = x Wᵀ + b). */
export interface MultiheadAttentionWeights {
  /** [D, D] */
  qWeight: Tensor;
  /** [D, kdim] */
  kWeight: Tensor;
  /** [D, vdim] */
  vWeight: Tensor;
  /** [D, D] */
  outWeight: Tensor;
  qBias?: Tensor | null;
  kBias?: Tensor | null;
  vBias?: Tensor | null;
  outBias?: Tensor | null;
}

export interface MultiheadAttentionOptions {
  /** Position i attends to keys j <= i only. Default false. */
  causal?: boolean;
  /**
   * As torch.nn.MultiheadAttention's attn_mask: [T, S], [B·H, T, S] or [B, H, T, S]; bool, where
   * true means the position is NOT allowed to attend, or float, added to the scores.
   */
  attnMask?: Tensor | null;
  /** [B, S]: bool, true for keys to ignore (padding), or float, added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights too. Default true (torch's need_weights). */
  needWeights?: boolean;
  /** Average the weights over the heads ([B, T, S]) instead of [B, H, T, S]. Default true, as torch. */
  averageAttnWeights?: boolean;
}

export interface MultiheadAttentionResult {
  /** [B, T, D] */
  out: Tensor;
  /** [B, T, S] (averaged) or [B, H, T, S]; null when needWeights is false. */
  attn: Tensor | null;
}

function project(x: Tensor, w: Tensor, b: Tensor | null | undefined): Tensor {
  const y = matmul(x, w, { transposeB: true });
  return b ? add(y, b) : y;
}

function checkWeight(name: string, what: string, w: Tensor | null | undefined, shape: number[]): void {
  if (!w) return;
  checkFloatInput(name, what, w);
  if (w.shape.join() !== shape.join()) {
    throw new ShapeError(`${name}: expected '${what}' of shape ${fmtShape(shape)}, got ${fmtShape(w.shape)}`);
  }
}

/** A mask as an additive float tensor broadcastable to [B, H, T, S] (−∞ where a bool mask is true). */
function additiveMask(
  name: string,
  what: string,
  m: Tensor,
  [b, h, t, s]: readonly number[],
  dtype: DType,
): Tensor {
  let mask = m;
  if (what === 'keyPaddingMask') {
    if (m.shape.join() !== [b, s].join()) {
      throw new ShapeError(`${name}: expected keyPaddingMask [${b}, ${s}], got ${fmtShape(m.shape)}`);
    }
    mask = reshape(m, [b, 1, 1, s]);
  } else if (m.rank === 2 && m.shape.join() === [t, s].join()) {
    mask = m;
  } else if (m.rank === 3 && m.shape.join() === [b * h, t, s].join()) {
    mask = reshape(m, [b, h, t, s]);
  } else if (m.rank === 4 && m.shape.join() === [b, h, t, s].join()) {
    mask = m;
  } else {
    throw new ShapeError(
      `${name}: expected attnMask [${t}, ${s}], [${b * h}, ${t}, ${s}] or [${b}, ${h}, ${t}, ${s}], got ${fmtShape(m.shape)}`,
    );
  }
  if (mask.dtype === 'bool') return where(mask, full([], Number.NEGATIVE_INFINITY, dtype), 0);
  if (!isFloat(mask.dtype))
    throw new DTypeError(`${name}: expected '${what}' to be bool or float, got ${mask.dtype}`);
  return mask;
}

/**
 * Multi-head attention with batch-first inputs, as torch.nn.MultiheadAttention computes it:
 * Q = query Wqᵀ + bq, K = key Wkᵀ + bk, V = value Wvᵀ + bv; head h takes the columns
 * h·dh … (h+1)·dh − 1 (dh = D / numHeads); per head softmax(Qh Khᵀ / √dh + mask) Vh; the heads are
 * concatenated back in the same column blocks and projected: out = O Woᵀ + bo.
 *
 * query [B, T, D], key [B, S, kdim], value [B, S, vdim] → out [B, T, D].
 */
export const multiheadAttention = op(
  (
    query: Tensor,
    key: Tensor,
    value: Tensor,
    numHeads: number,
    weights: MultiheadAttentionWeights,
    options: MultiheadAttentionOptions = {},
  ): MultiheadAttentionResult => {
    const name = 'multiheadAttention';
    const { causal = false, needWeights = true, averageAttnWeights = true } = options;
    checkFloatInput(name, 'query', query);
    checkFloatInput(name, 'key', key);
    checkFloatInput(name, 'value', value);
    if (query.rank !== 3 || key.rank !== 3 || value.rank !== 3) {
      throw new ShapeError(
        `${name}: expected query [B, T, D], key [B, S, kdim] and value [B, S, vdim], got ${fmtShape(query.shape)}, ${fmtShape(key.shape)} and ${fmtShape(value.shape)}`,
      );
    }
    const [b, t, d] = query.shape;
    const [, s, kdim] = key.shape;
    const vdim = value.shape[2];
    if (key.shape[0] !== b || value.shape[0] !== b || value.shape[1] !== s) {
      throw new ShapeError(
        `${name}: expected key [${b}, S, kdim] and value [${b}, S, vdim] with the same S, got ${fmtShape(key.shape)} and ${fmtShape(value.shape)}`,
      );
    }
    if (!Number.isInteger(numHeads) || numHeads <= 0 || d % numHeads !== 0) {
      throw new ValueError(
        `${name}: numHeads must be a positive integer dividing embedDim ${d}, got ${numHeads}`,
      );
    }
    checkWeight(name, 'qWeight', weights.qWeight, [d, d]);
    checkWeight(name, 'kWeight', weights.kWeight, [d, kdim]);
    checkWeight(name, 'vWeight', weights.vWeight, [d, vdim]);
    checkWeight(name, 'outWeight', weights.outWeight, [d, d]);
    for (const bn of ['qBias', 'kBias', 'vBias', 'outBias'] as const) checkWeight(name, bn, weights[bn], [d]);

    const h = numHeads;
    const dh = d / h;
    // [B, L, D] → [B, H, L, dh]: head h is the column block h·dh … (h+1)·dh − 1.
    const heads = (x: Tensor, len: number): Tensor => permute(reshape(x, [b, len, h, dh]), [0, 2, 1, 3]);
    const qh = heads(project(query, weights.qWeight, weights.qBias), t);
    const kh = heads(project(key, weights.kWeight, weights.kBias), s);
    const vh = heads(project(value, weights.vWeight, weights.vBias), s);

    let mask: Tensor | null = null;
    if (options.attnMask) mask = additiveMask(name, 'attnMask', options.attnMask, [b, h, t, s], query.dtype);
    if (options.keyPaddingMask) {
      const kp = additiveMask(name, 'keyPaddingMask', options.keyPaddingMask, [b, h, t, s], query.dtype);
      mask = mask ? add(mask, kp) : kp;
    }
    const { out: oh, attn } = scaledDotProductAttentionWithWeights(qh, kh, vh, {
      causal,
      scale: 1 / Math.sqrt(dh),
      attnMask: mask,
    });
    const o = reshape(permute(oh, [0, 2, 1, 3]), [b, t, d]);
    const out = project(o, weights.outWeight, weights.outBias);
    if (!needWeights) return { out, attn: null };
    return { out, attn: averageAttnWeights ? mean(attn, 1) : attn };
  },
);
