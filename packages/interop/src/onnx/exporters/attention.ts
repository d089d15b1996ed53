/**
 * MultiheadAttention, decomposed as Axon computes it (no fused op): Q, K, V projections
 * (MatMul + Add), heads split by Reshape [B, L, h, dh] and Transpose, softmax(Q Kᵀ / √dh) V per
 * head, the heads joined back and the output projection. Exported for forward(query) (self-
 * attention) or forward(query, key, value), without masks.
 */
import type { MultiheadAttention } from '@axon/layers';
import { type Tensor, transpose } from '@axon/tensor';
import type { LayerExporter, Traced } from '../registry';
import { linearNode, reshapeNode, transposeNode } from './util';

export const attentionExporters: Record<string, LayerExporter> = {
  MultiheadAttention: (m: MultiheadAttention, inputs, ctx) => {
    if (inputs.length !== 1 && inputs.length !== 3) {
      throw ctx.fail(`expected 1 input (self-attention) or 3 (query, key, value), got ${inputs.length}`);
    }
    if (inputs.some((t) => t.sample.rank !== 3))
      throw ctx.fail('export it with batched sample inputs (rank 3)');
    const [query] = inputs;
    const w = m.weights();
    const h = m.numHeads;
    const dh = m.headDim;
    // Every value [B, L, ·] from here on (time-major inputs are transposed in and out).
    const batchFirst = (t: Traced): Traced =>
      m.batchFirst ? t : { name: transposeNode(ctx, t.name, [1, 0, 2]), sample: transpose(t.sample, 0, 1) };
    const [qb, kb = qb, vb = kb] = inputs.map(batchFirst);
    const project = (t: Traced, weight: Tensor, bias: Tensor | null | undefined) =>
      linearNode(ctx, t, weight, bias ?? null);
    // [B, L, D] → [B, h, L, dh], or [B, h, dh, L] for the keys (already transposed for Q Kᵀ).
    const heads = (x: string, perm: number[]) => transposeNode(ctx, reshapeNode(ctx, x, [0, 0, h, dh]), perm);
    const q = heads(project(qb, w.qWeight, w.qBias), [0, 2, 1, 3]);
    const k = heads(project(kb, w.kWeight, w.kBias), [0, 2, 3, 1]);
    const v = heads(project(vb, w.vWeight, w.vBias), [0, 2, 1, 3]);
    const scale = ctx.graph.scalar(1 / Math.sqrt(dh), query.sample.dtype, 'scale');
    const scores = ctx.node('Mul', [ctx.node('MatMul', [q, k]), scale]);
    const attn = ctx.node('Softmax', [scores], { axis: { i: -1 } });
    const joined = reshapeNode(ctx, transposeNode(ctx, ctx.node('MatMul', [attn, v]), [0, 2, 1, 3]), [
      0,
      0,
      m.embedDim,
    ]);
    const sample = m.forward(query.sample, inputs[1]?.sample, inputs[2]?.sample);
    let out = linearNode(ctx, { name: joined, sample: qb.sample }, w.outWeight, w.outBias ?? null);
    if (!m.batchFirst) out = transposeNode(ctx, out, [1, 0, 2]);
    return { name: out, sample };
  },
};
