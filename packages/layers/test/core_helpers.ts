// Shared helpers for the core layer tests (core_*.test.ts, dropout.test.ts).
import { checkGradients } from '@axon/autograd';
import { fromSpec, type Module, specOf } from '@axon/layers';
import { Generator, memory, randn, type Tensor, tensor, tidy } from '@axon/tensor';
import { expectGradientsOk, expectClose as sharedExpectClose, valuesOf } from '@axon/testing';
import { expect } from 'vitest';

export function expectGradientsMatch(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  expectGradientsOk(checkGradients(f, inputs));
}

/** A float64 standard normal tensor from a fixed generator. */
export function rand64(shape: number[], seed = 7): Tensor {
  return randn(shape, { dtype: 'float64', generator: new Generator(seed) });
}

/** Flat values of a tensor as a plain array. */
export function values(t: Tensor): number[] {
  return valuesOf(t);
}

/** The shared `expectClose` (@axon/testing), by decimal digits as `toBeCloseTo`. */
export function expectClose(actual: Tensor | number[], expected: number[], digits = 5): void {
  sharedExpectClose(actual, expected, digits);
}

/**
 * fromSpec(specOf(layer)) builds an equal layer: same type, same config (through JSON), the same
 * state-dict names and shapes; after loading the original's state both give the same output.
 */
export function expectRoundTrip(layer: Module, ...inputs: Tensor[]): Module {
  const spec = JSON.parse(JSON.stringify(specOf(layer)));
  const copy = fromSpec(spec);
  expect(copy.constructor).toBe(layer.constructor);
  expect(copy.config()).toEqual(layer.config());
  const shapes = (m: Module) => Object.entries(m.stateDict()).map(([n, t]) => [n, t.shape]);
  expect(shapes(copy)).toEqual(shapes(layer));
  copy.loadStateDict(layer.stateDict());
  if (inputs.length > 0) {
    copy.training = layer.training;
    const run = (m: Module) =>
      tidy(() => values((m as unknown as { forward(...xs: Tensor[]): Tensor }).forward(...inputs)));
    expect(run(copy)).toEqual(run(layer));
  }
  copy.dispose();
  return copy;
}

/** Runs `fn` in a tidy and checks that it leaves no tensor behind. */
export function expectNoLeak(fn: () => unknown): void {
  const before = memory().numTensors;
  tidy(() => {
    fn();
  });
  expect(memory().numTensors).toBe(before);
}

export { tensor };
