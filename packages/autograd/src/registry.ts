import type { Tensor } from '@axon/tensor';

/** What a gradient function sees of the forward call: saved inputs, outputs and attributes. */
export interface GradContext<A = unknown> {
  inputs: readonly Tensor[];
  outputs: readonly Tensor[];
  attrs: A;
  /**
   * Per input, whether its gradient is wanted (it depends on a tensor that requires one). A
   * gradient whose input is not wanted may be returned as null, skipping its work: the input
   * gradient of a first layer (dx of x·W, of conv(x, w)) is a third of that layer's products.
   * Absent: every input is wanted.
   */
  needsGrad?: readonly boolean[];
}

/**
 * The vector-Jacobian product of one kernel: given the gradients of its outputs, return the
 * gradient of each input (shaped like that input), or null where an input has none (indices,
 * masks). Written with public tensor ops, so it runs on every backend.
 */
// biome-ignore lint/suspicious/noExplicitAny: each gradient declares its kernel's attrs type
export type GradFunc<A = any> = (dys: readonly Tensor[], ctx: GradContext<A>) => (Tensor | null)[];

const KEY = Symbol.for('axon.gradientRegistry');
const g = globalThis as { [KEY]?: Map<string, GradFunc> };
g[KEY] ??= new Map<string, GradFunc>();
const registry: Map<string, GradFunc> = g[KEY];

export function registerGradient<A>(kernelName: string, fn: GradFunc<A>): void {
  registry.set(kernelName, fn as GradFunc);
}

export function getGradient(kernelName: string): GradFunc | undefined {
  return registry.get(kernelName);
}

/** Kernels that have no gradient by design (their outputs are integers, booleans or random). */
export const NON_DIFFERENTIABLE = new Set<string>(['RandomFill']);
