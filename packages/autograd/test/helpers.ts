/** Test helpers of the autograd package: one home for the finite-difference assertion. */
import { checkGradients } from '@axon/autograd';
import type { Tensor } from '@axon/tensor';
import { expect } from 'vitest';

/** Asserts that f's registered gradients at `inputs` match central finite differences (float64). */
export function expectGradientsMatch(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const report = checkGradients(f, inputs);
  expect(report.ok, report.message).toBe(true);
}
