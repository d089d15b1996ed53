/** Small graph idioms several layer families share (not part of the public API). */
import { type Pair, type Tensor, transpose } from '@axon/tensor';
import type { ExportContext, Traced } from '../registry';

/** y = x Wᵀ + b over the last axis (torch's linear): Gemm for a matrix, MatMul and Add otherwise. */
export function linearNode(ctx: ExportContext, x: Traced, weight: Tensor, bias: Tensor | null): string {
  const g = ctx.graph;
  if (x.sample.rank === 2) {
    const inputs = [x.name, g.param(weight), ...(bias ? [g.param(bias)] : [])];
    return ctx.node('Gemm', inputs, { transB: { i: 1 } });
  }
  const weightT = g.tensorConst(transpose(weight), `${g.hintFor(weight)}_T`);
  const y = ctx.node('MatMul', [x.name, weightT]);
  return bias ? ctx.node('Add', [y, g.param(bias)]) : y;
}

/**
 * Runs `body` on a batched image: an unbatched [C, H, W] value gets a batch axis of 1 around it
 * (the Axon layers accept both forms).
 */
export function withImageBatch(ctx: ExportContext, x: Traced, body: (x4: string) => string): string {
  if (x.sample.rank === 4) return body(x.name);
  if (x.sample.rank !== 3)
    throw ctx.fail(`expected an input [N, C, H, W] or [C, H, W], got rank ${x.sample.rank}`);
  const axes = ctx.graph.ints([0], 'axis0');
  const y = body(ctx.node('Unsqueeze', [x.name, axes]));
  return ctx.node('Squeeze', [y, axes]);
}

/** Transpose with a permutation. */
export function transposeNode(ctx: ExportContext, x: string, perm: number[]): string {
  return ctx.node('Transpose', [x], { perm: { ints: perm } });
}

/** Reshape to `shape` (0 copies the input's dim at that index, -1 is inferred). */
export function reshapeNode(ctx: ExportContext, x: string, shape: number[]): string {
  return ctx.node('Reshape', [x, ctx.graph.ints(shape, 'shape')]);
}

/** torch's `int or (int, int)` as two numbers. */
export function pair(p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}
