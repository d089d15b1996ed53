/**
 * The reconstruction losses of an autoencoder, as one pure function: the step and `evalStep` use
 * it, and so can a user who wants the loss of a model's output outside a step.
 */
import { binaryCrossEntropyWithLogits, mse, type Tensor } from '@axon/tensor';

/**
 * 'mse': mean squared error of the output against the input (real-valued data); 'bce': binary
 * cross-entropy of sigmoid(output) against the input (data in [0, 1], e.g. pixel intensities),
 * computed from the logits.
 */
export const RECONSTRUCTION_LOSSES = ['mse', 'bce'] as const;
export type ReconstructionLoss = (typeof RECONSTRUCTION_LOSSES)[number];

/**
 * The mean reconstruction loss over every value: mean((output − target)²) for 'mse';
 * mean(BCEWithLogits(output, target)) for 'bce' (output are logits, target in [0, 1]).
 */
export function reconstructionLoss(output: Tensor, target: Tensor, kind: ReconstructionLoss): Tensor {
  return kind === 'mse' ? mse(output, target) : binaryCrossEntropyWithLogits(output, target);
}
