/**
 * PyTorch's imperative API on Tensor: `requiresGrad`, `backward()`, `.grad`, `detach()`.
 * Attached here, when autograd is imported, because the tensor package knows nothing of
 * gradients.
 */
import { add, ENGINE, fmtShape, Tensor, ValueError } from '@axon/tensor';
import { GRAPH } from './graph';

declare module '@axon/tensor' {
  interface Tensor {
    /** Whether gradients flow to this tensor. Set it on leaves (parameters); ops propagate it. */
    requiresGrad: boolean;
    /** Sets `requiresGrad` and returns this tensor. */
    requiresGrad_(on?: boolean): this;
    /** The gradient accumulated on this leaf by `backward()`, or null. */
    grad: Tensor | null;
    /**
     * Computes the gradient of this tensor (a scalar, unless `gradient` is given) with respect to
     * every leaf that requires one, and adds it to their `.grad`. Frees the graph unless
     * `retainGraph`; with `createGraph` the gradients are themselves differentiable (and the
     * graph is retained unless `retainGraph: false`). `backward({ createGraph: true })` also works.
     */
    backward(gradient?: Tensor | BackwardFlags, options?: BackwardFlags): void;
    /** A tensor sharing this one's data, cut from the graph. */
    detach(): Tensor;
    /** True for tensors made by the user (not by an op on tensors that require grad). */
    readonly isLeaf: boolean;
  }
}

export interface BackwardFlags {
  retainGraph?: boolean;
  createGraph?: boolean;
}

const grads = new WeakMap<Tensor, Tensor>();

Object.defineProperties(Tensor.prototype, {
  requiresGrad: {
    get(this: Tensor) {
      return GRAPH.requiresGrad(this);
    },
    set(this: Tensor, on: boolean) {
      if (!on && !GRAPH.isLeaf(this) && GRAPH.requiresGrad(this)) {
        throw new ValueError('requiresGrad: only a leaf can stop requiring a gradient; use detach()');
      }
      GRAPH.setRequiresGrad(this, on);
    },
    configurable: true,
  },
  requiresGrad_: {
    value(this: Tensor, on = true) {
      this.requiresGrad = on;
      return this;
    },
    configurable: true,
    writable: true,
  },
  isLeaf: {
    get(this: Tensor) {
      return !GRAPH.requiresGrad(this) || GRAPH.isLeaf(this);
    },
    configurable: true,
  },
  grad: {
    get(this: Tensor) {
      const g = grads.get(this);
      return g && !g.isDisposed ? g : null;
    },
    // Setting (null, typically, in zeroGrad) frees the previous gradient.
    set(this: Tensor, g: Tensor | null) {
      const old = grads.get(this);
      if (old && old !== g) old.dispose();
      if (g) grads.set(this, ENGINE.keep(g));
      else grads.delete(this);
    },
    configurable: true,
  },
  backward: {
    value(this: Tensor, gradientOrFlags?: Tensor | BackwardFlags, flags: BackwardFlags = {}) {
      const gradient = gradientOrFlags instanceof Tensor ? gradientOrFlags : undefined;
      const options = gradientOrFlags instanceof Tensor || !gradientOrFlags ? flags : gradientOrFlags;
      if (!gradient && this.size !== 1) {
        throw new ValueError(
          `backward: needs a gradient argument for a non-scalar tensor of shape ${fmtShape(this.shape)}`,
        );
      }
      if (gradient && gradient.shape.join() !== this.shape.join()) {
        throw new ValueError(
          `backward: gradient shape ${fmtShape(gradient.shape)} differs from tensor shape ${fmtShape(this.shape)}`,
        );
      }
      const { createGraph = false, retainGraph = createGraph } = options;
      const { leafGrads } = GRAPH.backward(this, { seed: gradient, retainGraph, createGraph });
      for (const [leaf, g] of leafGrads) {
        if (leaf.isDisposed) {
          g.dispose();
          continue;
        }
        const prev = leaf.grad;
        leaf.grad = prev ? (createGraph ? add(prev, g) : GRAPH.withoutRecording(() => add(prev, g))) : g;
        if (prev) g.dispose();
      }
    },
    configurable: true,
    writable: true,
  },
  detach: {
    value(this: Tensor) {
      return GRAPH.withoutRecording(() => this.clone());
    },
    configurable: true,
    writable: true,
  },
});
