// Shared imports for tests, plus kernel-level helpers that are not public ops.
import { arange, ENGINE, kernels, reshape, type Tensor } from '@axon/tensor';

export * from '@axon/tensor';

/** The raw Unary 'sigmoid' kernel, to test it apart from the public activation op. */
export function sigmoidReference(x: Tensor): Tensor {
  return ENGINE.runKernel(kernels.Unary, [x], { op: 'sigmoid' })[0];
}

/** 0, 1, 2, ... shaped as `shape`. */
export function iota(shape: number[], dtype: 'float32' | 'float64' | 'int32' = 'float32'): Tensor {
  return reshape(
    arange(
      0,
      shape.reduce((a, b) => a * b, 1),
      1,
      dtype,
    ),
    shape,
  );
}
