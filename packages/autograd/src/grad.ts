import { ENGINE, fmtShape, Tensor, tidy, ValueError, zerosLike } from '@axon/tensor';
import { GRAPH } from './graph';

export type ScalarFn = (...args: Tensor[]) => Tensor;

/**
 * `valueAndGrad(f)(...xs)` returns f's value and the gradient of that (scalar) value with respect
 * to each argument. Everything f creates besides its value is freed before it returns; the
 * arguments are not changed and need no `requiresGrad`.
 */
export function valueAndGrad(f: ScalarFn): (...xs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...xs: Tensor[]) => {
    xs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new ValueError(`valueAndGrad: argument ${i} is not a Tensor`);
      ENGINE.assertLive('valueAndGrad', x);
    });
    // Fresh handles on the arguments' buffers act as the leaves, so that an argument which is
    // itself part of another graph (or requires a gradient) is left untouched.
    const leaves = xs.map((x) => ENGINE.retain(x));
    try {
      return tidy(() => {
        for (const leaf of leaves) GRAPH.setRequiresGrad(leaf, true);
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
        const found = new Map(GRAPH.backward(value));
        const grads = leaves.map((leaf) => found.get(leaf) ?? zerosLike(leaf));
        // Hand back a copy cut from the (now freed) graph, so using the value later records nothing.
        return { value: GRAPH.withoutRecording(() => value.clone()), grads };
      });
    } finally {
      for (const leaf of leaves) leaf.dispose();
    }
  };
}

/** `grad(f)(...xs)`: the gradient of f's scalar value with respect to each argument. */
export function grad(f: ScalarFn): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...xs: Tensor[]) => {
    const { value, grads } = vg(...xs);
    value.dispose();
    return grads;
  };
}

/** Runs `fn` without recording anything for autograd (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return GRAPH.withoutRecording(fn);
}
