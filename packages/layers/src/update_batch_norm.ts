/**
 * `updateBatchNorm`, after PyTorch's `torch.optim.swa_utils.update_bn`: recomputes batch norm's
 * running statistics for a module's current weights. Weights that never ran forward themselves, a
 * moving average of a generator's (EMA) or of a network's (SWA), inherit running statistics that
 * describe another network's activations; in eval mode they normalise with the wrong mean and
 * variance. Forwarding a few batches through the averaged weights measures the right ones.
 */
import { noGrad } from '@axon/autograd';
import { type Tensor, tidy, ValueError } from '@axon/tensor';
import { BatchNormBase } from './layers/normalization';
import type { AnyModule } from './module';

/**
 * Resets the running mean and variance of every batch-norm layer in `module` (that tracks them)
 * and accumulates them again as plain averages over `inputs` (momentum null for the pass), each
 * forwarded in training mode without gradients: a tensor, or an array of `forward`'s arguments.
 * Restores the module's mode and each layer's momentum. A module without batch norm is left as it
 * is; an empty `inputs` is refused (it would leave the statistics reset).
 */
export function updateBatchNorm(module: AnyModule, inputs: Iterable<Tensor | readonly Tensor[]>): void {
  const layers = module
    .namedModules()
    .map(([, m]) => m)
    .filter((m): m is BatchNormBase => m instanceof BatchNormBase && m.trackRunningStats);
  if (layers.length === 0) return;
  const modes = module.namedModules().map(([, m]) => m.training);
  // `momentum` is read-only to users (it is part of the layer's config); the pass borrows it.
  const settable = (m: BatchNormBase) => m as { momentum: number | null };
  const momenta = layers.map((m) => m.momentum);
  for (const m of layers) {
    m.resetRunningStats();
    settable(m).momentum = null;
  }
  module.train();
  let batches = 0;
  try {
    for (const input of inputs) {
      const args = Array.isArray(input) ? input : [input];
      tidy(() => noGrad(() => void module.forward(...(args as [Tensor]))));
      batches++;
    }
  } finally {
    layers.forEach((m, i) => {
      settable(m).momentum = momenta[i];
    });
    module.namedModules().forEach(([, m], i) => {
      m.training = modes[i];
    });
  }
  if (batches === 0) {
    throw new ValueError('updateBatchNorm: expected at least one batch of inputs, got none');
  }
}
