// Shared imports for tests, plus kernel-level helpers that are not public ops.
import { ENGINE, kernels, type Tensor } from '@axon/tensor';

export * from '@axon/tensor';

/** The raw Unary 'sigmoid' kernel, to test it apart from the public activation op. */
export function sigmoidReference(x: Tensor): Tensor {
  return ENGINE.runKernel(kernels.Unary, [x], { op: 'sigmoid' })[0];
}
