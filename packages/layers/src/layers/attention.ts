/**
 * The `MultiheadAttention` module (torch.nn.MultiheadAttention with its parameter names:
 * in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight, out_proj.bias), over the functional
 * core in `functional/attention.ts`.
 */

import {
  assign,
  fmtShape,
  full,
  reshape,
  ShapeError,
  slice,
  type Tensor,
  tidy,
  transpose,
  unsqueeze,
  ValueError,
  zerosLike,
} from '@axon/tensor';
import { reserveElements } from '../allocation';
import {
  type MultiheadAttentionResult,
  type MultiheadAttentionWeights,
  multiheadAttention,
} from '../functional/attention';
import * as init from '../init';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { Linear } from './linear';

export interface MultiheadAttentionLayerOptions {
  /** Biases on the input and output projections. Default true. */
  bias?: boolean;
  /** Features of the key. Default embedDim. */
  kdim?: number;
  /** Features of the value. Default embedDim. */
  vdim?: number;
  /**
   * Inputs and output are [B, T, D] (true) or [T, B, D] (false). Default true here (torch's
   * default is false).
   */
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  /** Position i attends to keys j <= i only. Default false. */
  causal?: boolean;
  /** As torch: [T, S] or [B·H, T, S]; bool true = not allowed, or float added to the scores. */
  attnMask?: Tensor | null;
  /** [B, S]: bool true = a key to ignore, or float added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights. Default false (forward then returns the output alone). */
  needWeights?: boolean;
  /** With needWeights: average the weights over the heads. Default true, as torch. */
  averageAttnWeights?: boolean;
}

/**
 * torch.nn.MultiheadAttention (without dropout, add_bias_kv or add_zero_attn). Parameters, with
 * torch's names and init: in_proj_weight [3D, D] (rows Wq; Wk; Wv, Xavier uniform) when kdim = vdim
 * = D, else q_proj_weight [D, D], k_proj_weight [D, kdim], v_proj_weight [D, vdim]; in_proj_bias
 * [3D] (zeros); out_proj.weight [D, D], out_proj.bias [D] (zeros).
 *
 * `forward(query, key = query, value = key, options)` returns the output ([B, T, D], or [T, D] for
 * unbatched input), or {out, attn} with `needWeights: true`.
 */
export class MultiheadAttention extends Module<Tensor, Tensor | MultiheadAttentionResult> {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly useBias: boolean;
  readonly batchFirst: boolean;
  readonly inProjWeight: Tensor | null = null;
  readonly qProjWeight: Tensor | null = null;
  readonly kProjWeight: Tensor | null = null;
  readonly vProjWeight: Tensor | null = null;
  readonly inProjBias: Tensor | null = null;
  readonly outProj: Module & { weight: Tensor; bias: Tensor | null };

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionLayerOptions = {}) {
    super();
    const { bias = true, kdim = embedDim, vdim = embedDim, batchFirst = true } = options;
    for (const [what, v] of [
      ['embedDim', embedDim],
      ['numHeads', numHeads],
      ['kdim', kdim],
      ['vdim', vdim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) {
        throw new ValueError(`MultiheadAttention: ${what} must be a positive integer, got ${v}`);
      }
    }
    if (embedDim % numHeads !== 0) {
      throw new ValueError(
        `MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`,
      );
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = kdim;
    this.vdim = vdim;
    this.useBias = bias;
    this.batchFirst = batchFirst;
    const d = embedDim;
    const projections =
      kdim === d && vdim === d
        ? [[3 * d, d]]
        : [
            [d, d],
            [d, kdim],
            [d, vdim],
          ];
    reserveElements('MultiheadAttention', bias ? [...projections, [3 * d]] : projections);
    if (kdim === d && vdim === d) {
      this.inProjWeight = this.addParameter('in_proj_weight', init.xavierUniform([3 * d, d]));
    } else {
      this.qProjWeight = this.addParameter('q_proj_weight', init.xavierUniform([d, d]));
      this.kProjWeight = this.addParameter('k_proj_weight', init.xavierUniform([d, kdim]));
      this.vProjWeight = this.addParameter('v_proj_weight', init.xavierUniform([d, vdim]));
    }
    if (bias) this.inProjBias = this.addParameter('in_proj_bias', full([3 * d], 0));
    this.outProj = this.addModule('out_proj', new Linear(d, d, { bias }));
    // torch's MultiheadAttention._reset_parameters zeroes the output projection's bias.
    if (this.outProj.bias)
      tidy(() => assign(this.outProj.bias as Tensor, zerosLike(this.outProj.bias as Tensor)));
  }

  /** The four projections as the functional core takes them (slices of the packed ones). */
  weights(): MultiheadAttentionWeights {
    const d = this.embedDim;
    const rows = (t: Tensor, i: number): Tensor =>
      t.rank === 2 ? slice(t, [i * d, 0], [(i + 1) * d, t.shape[1]]) : slice(t, [i * d], [(i + 1) * d]);
    const packed = this.inProjWeight;
    const b = this.inProjBias;
    return {
      qWeight: packed ? rows(packed, 0) : (this.qProjWeight as Tensor),
      kWeight: packed ? rows(packed, 1) : (this.kProjWeight as Tensor),
      vWeight: packed ? rows(packed, 2) : (this.vProjWeight as Tensor),
      outWeight: this.outProj.weight,
      qBias: b ? rows(b, 0) : null,
      kBias: b ? rows(b, 1) : null,
      vBias: b ? rows(b, 2) : null,
      outBias: this.outProj.bias,
    };
  }

  forward(
    query: Tensor,
    key?: Tensor | null,
    value?: Tensor | null,
    options?: MultiheadAttentionForwardOptions & { needWeights?: false },
  ): Tensor;
  forward(
    query: Tensor,
    key: Tensor | null | undefined,
    value: Tensor | null | undefined,
    options: MultiheadAttentionForwardOptions & { needWeights: true },
  ): MultiheadAttentionResult & { attn: Tensor };
  forward(
    query: Tensor,
    key?: Tensor | null,
    value?: Tensor | null,
    options: MultiheadAttentionForwardOptions = {},
  ): Tensor | MultiheadAttentionResult {
    const k = key ?? query;
    const v = value ?? k;
    const batched = query.rank === 3;
    const expect = (what: string, x: Tensor, len: string, dim: number): void => {
      const rankOk = x.rank === (batched ? 3 : 2);
      if (rankOk && x.shape[x.rank - 1] === dim) return;
      const lead = !batched ? [len] : this.batchFirst ? ['B', len] : [len, 'B'];
      throw new ShapeError(
        `MultiheadAttention: expected ${what} [${lead.join(', ')}, ${dim}], got ${fmtShape(x.shape)}`,
      );
    };
    if (query.rank !== 2 && query.rank !== 3) {
      const lead = this.batchFirst ? 'B, T' : 'T, B';
      throw new ShapeError(
        `MultiheadAttention: expected query [${lead}, ${this.embedDim}] or [T, ${this.embedDim}], got ${fmtShape(query.shape)}`,
      );
    }
    expect('query', query, 'T', this.embedDim);
    expect('key', k, 'S', this.kdim);
    expect('value', v, 'S', this.vdim);
    const toBatchFirst = (x: Tensor): Tensor =>
      !batched ? unsqueeze(x, 0) : this.batchFirst ? x : transpose(x, 0, 1);
    const result = multiheadAttention(
      toBatchFirst(query),
      toBatchFirst(k),
      toBatchFirst(v),
      this.numHeads,
      this.weights(),
      {
        causal: options.causal ?? false,
        attnMask: options.attnMask ?? null,
        keyPaddingMask: options.keyPaddingMask
          ? batched
            ? options.keyPaddingMask
            : unsqueeze(options.keyPaddingMask, 0)
          : null,
        needWeights: options.needWeights ?? false,
        averageAttnWeights: options.averageAttnWeights ?? true,
      },
    );
    let out = result.out;
    let attn = result.attn;
    if (!batched) {
      out = reshape(out, out.shape.slice(1));
      if (attn) attn = reshape(attn, attn.shape.slice(1));
    } else if (!this.batchFirst) {
      out = transpose(out, 0, 1);
    }
    return options.needWeights ? { out, attn } : out;
  }

  override config(): LayerConfig {
    return {
      embedDim: this.embedDim,
      numHeads: this.numHeads,
      bias: this.useBias,
      kdim: this.kdim,
      vdim: this.vdim,
      batchFirst: this.batchFirst,
    };
  }

  static fromConfig(config: LayerConfig): MultiheadAttention {
    return new MultiheadAttention(config.embedDim as number, config.numHeads as number, {
      bias: config.bias as boolean | undefined,
      kdim: config.kdim as number | undefined,
      vdim: config.vdim as number | undefined,
      batchFirst: config.batchFirst as boolean | undefined,
    });
  }
}

registerLayer('MultiheadAttention', MultiheadAttention);
