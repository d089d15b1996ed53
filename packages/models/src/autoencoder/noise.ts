/**
 * The corruptions of a denoising autoencoder (Vincent et al. 2008/2010), as pure functions of the
 * input and a seeded generator: the model learns to map the corrupted input back to the clean
 * one. Kept apart from the Modules so that the same transform can be used on its own (to show
 * corrupted digits, say) and so that the step applies it to the input only.
 */
import {
  add,
  bernoulli,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkProbability,
  describeValue,
  type Generator,
  mul,
  randn,
  type Tensor,
  ValueError,
} from '@axon/tensor';

/**
 * A denoising transform: `{type: 'mask', p}` zeroes each input value with probability p (masking
 * noise, no rescaling); `{type: 'gaussian', std}` adds N(0, std²) noise to each value.
 */
export type NoiseSpec = { type: 'mask'; p: number } | { type: 'gaussian'; std: number };

export const NOISE_TYPES = ['mask', 'gaussian'] as const;

/** x with each value set to 0 with probability p (the others unchanged), drawn from `generator`. */
export function maskingNoise(x: Tensor, p: number, generator?: Generator): Tensor {
  checkProbability('maskingNoise', 'p', p, { exclusiveMax: true });
  if (p === 0) return x;
  return mul(x, bernoulli(1 - p, x.shape, { dtype: x.dtype, generator }));
}

/** x + std·ε with ε ~ N(0, 1) per value, drawn from `generator`. */
export function gaussianNoise(x: Tensor, std: number, generator?: Generator): Tensor {
  checkNumber('gaussianNoise', 'std', std, { min: 0 });
  if (std === 0) return x;
  return add(x, mul(randn(x.shape, { dtype: x.dtype, generator }), std));
}

/** Applies a denoising transform to x. */
export function corrupt(x: Tensor, noise: NoiseSpec, generator?: Generator): Tensor {
  return noise.type === 'mask' ? maskingNoise(x, noise.p, generator) : gaussianNoise(x, noise.std, generator);
}

/** A `noise` option, checked and copied (null or undefined: no corruption). */
export function checkNoise(fn: string, v: unknown): NoiseSpec | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new ValueError(
      `${fn}: expected noise to be {type: 'mask', p} or {type: 'gaussian', std}, got ${describeValue(v)}`,
    );
  }
  const o = checkOptions(fn, v);
  const type = checkOneOf(fn, 'noise.type', o.type, NOISE_TYPES);
  if (type === 'mask') return { type, p: checkProbability(fn, 'noise.p', o.p, { exclusiveMax: true }) };
  return { type, std: checkNumber(fn, 'noise.std', o.std, { min: 0 }) };
}
