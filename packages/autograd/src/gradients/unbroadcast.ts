import { reshape, sum, type Tensor } from '@axon/tensor';

/**
 * Sums a gradient computed for a broadcast result back down to the shape of the input that was
 * broadcast: over the leading dims the input lacked, and over the dims where it had size 1.
 */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(axes.length > 0 ? sum(g, axes, true) : g, shape);
}
