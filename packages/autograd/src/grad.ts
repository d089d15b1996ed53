import { ENGINE, fmtShape, Tensor, tidy, ValueError, zerosLike } from '@axon/tensor';
import { GRAPH } from './graph';

export type ScalarFn = (...args: Tensor[]) => Tensor;

export interface GradOptions {
  /**
   * Record the backward pass, so the gradients can be differentiated again (a gradient penalty,
   * a Hessian-vector product, `grad` of `grad`). The gradients then stay connected to every
   * tensor requiring a gradient that `f` used (parameters it closes over, and arguments that were
   * themselves computed from such tensors), and so does the returned value.
   */
  createGraph?: boolean;
}

/**
 * `valueAndGrad(f)(...xs)` returns f's value and the gradient of that (scalar) value with respect
 * to each argument. Everything f creates besides its value is freed before it returns; the
 * arguments are not changed and need no `requiresGrad`. It records even inside `noGrad`.
 */
export function valueAndGrad(
  f: ScalarFn,
  options: GradOptions = {},
): (...xs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  const createGraph = options.createGraph ?? false;
  return (...xs: Tensor[]) => {
    xs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new ValueError(`valueAndGrad: argument ${i} is not a Tensor`);
      ENGINE.assertLive('valueAndGrad', x);
    });
    return GRAPH.withRecording(() => {
      // Fresh handles on the arguments' buffers act as the leaves, so that an argument which is
      // itself part of another graph (or requires a gradient) is left untouched. With
      // `createGraph`, such an argument enters through a recorded view instead, which keeps the
      // gradient connected to the graph the argument came from.
      const leaves = xs.map((x) =>
        createGraph && GRAPH.requiresGrad(x) ? ENGINE.makeView(x, x.shape) : ENGINE.retain(x),
      );
      try {
        return tidy(() => {
          for (const leaf of leaves) if (!GRAPH.requiresGrad(leaf)) GRAPH.setRequiresGrad(leaf, true);
          let value = f(...leaves);
          if (!(value instanceof Tensor)) throw new ValueError('valueAndGrad: f must return a Tensor');
          if (value.size !== 1) {
            throw new ValueError(
              `valueAndGrad: f must return a scalar (one element), got shape ${fmtShape(value.shape)}`,
            );
          }
          if (leaves.includes(value)) value = value.clone();
          if (!GRAPH.requiresGrad(value)) {
            return { value, grads: leaves.map((leaf) => zerosLike(leaf)) };
          }
          const { inputGrads } = GRAPH.backward(value, { inputs: leaves, createGraph });
          const grads = leaves.map((leaf, i) => inputGrads[i] ?? zerosLike(leaf));
          if (createGraph) return { value, grads };
          // Hand back a copy cut from the (now freed) graph, so using the value later records nothing.
          return { value: GRAPH.withoutRecording(() => value.clone()), grads };
        });
      } finally {
        for (const leaf of leaves) leaf.dispose();
      }
    });
  };
}

/** `grad(f)(...xs)`: the gradient of f's scalar value with respect to each argument. */
export function grad(f: ScalarFn, options: GradOptions = {}): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f, options);
  return (...xs: Tensor[]) => {
    const { value, grads } = vg(...xs);
    value.dispose();
    return grads;
  };
}

/**
 * The gradients of `output`, a scalar already computed, with respect to `inputs` (tensors it was
 * computed from), as `torch.autograd.grad(output, inputs)`: returned, not added to any `.grad`
 * (zeros for an input the output does not depend on). With `createGraph` the gradients are
 * recorded, so they can be differentiated again, and the graph of `output` is kept (`retainGraph`
 * defaults to `createGraph`), so a loss that also uses `output` can still be minimised — a
 * gradient penalty on the very scores a loss is computed from, without a second forward pass.
 */
export function gradOf(
  output: Tensor,
  inputs: readonly Tensor[],
  options: GradOptions & { retainGraph?: boolean } = {},
): Tensor[] {
  if (!(output instanceof Tensor)) throw new ValueError('gradOf: output is not a Tensor');
  if (output.size !== 1) {
    throw new ValueError(
      `gradOf: output must be a scalar (one element), got shape ${fmtShape(output.shape)}`,
    );
  }
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new ValueError(`gradOf: input ${i} is not a Tensor`);
    ENGINE.assertLive('gradOf', x);
    if (!GRAPH.requiresGrad(x)) {
      throw new ValueError(
        `gradOf: input ${i} does not require a gradient (set requiresGrad before computing output)`,
      );
    }
  });
  const createGraph = options.createGraph ?? false;
  const { inputGrads } = GRAPH.backward(output, {
    inputs: [...inputs],
    createGraph,
    retainGraph: options.retainGraph ?? createGraph,
  });
  return inputs.map((x, i) => inputGrads[i] ?? zerosLike(x));
}

/** Runs `fn` without recording anything for autograd (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return GRAPH.withoutRecording(fn);
}
