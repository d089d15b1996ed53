/**
 * The wrapper every decoding loop of the sequence families shares (`generate`, greedy and beam
 * search): eval mode (no dropout), no gradient tape, every tensor freed at the end, and the
 * module's training mode put back even when the loop throws. The loops return plain numbers.
 */
import { noGrad } from '@axon/autograd';
import type { AnyModule } from '@axon/layers';
import { tidy } from '@axon/tensor';

/** Runs `fn` with `module` in eval mode, without gradients, inside one `tidy`; restores the mode. */
export function inference<T>(module: AnyModule, fn: () => T): T {
  const wasTraining = module.training;
  module.eval();
  try {
    return tidy(() => noGrad(fn));
  } finally {
    module.train(wasTraining);
  }
}
