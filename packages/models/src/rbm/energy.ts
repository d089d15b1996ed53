/**
 * The maths of a restricted Boltzmann machine as pure functions of its parameters, shared by the
 * Module (rbm.ts), annealed importance sampling (ais.ts) and exact enumeration (exact.ts). The
 * energy is E(v, h) = −v·b − h·c − vᵀWh with binary hidden units and either binary visible units
 * (Bernoulli–Bernoulli) or real ones of unit variance (Gaussian–Bernoulli, with ½‖v − b‖² in place
 * of −v·b). W is [visible, hidden], as in the oracle fixtures.
 */
import {
  add,
  bernoulli,
  type Generator,
  matmul,
  mul,
  neg,
  randn,
  sigmoid,
  softplus,
  square,
  sub,
  sum,
  type Tensor,
} from '@axon/tensor';

/** The visible units: 'bernoulli' (binary, or grey levels read as probabilities) or 'gaussian' (unit variance). */
export const RBM_VISIBLE_UNITS = ['bernoulli', 'gaussian'] as const;
export type RbmVisibleUnits = (typeof RBM_VISIBLE_UNITS)[number];

/** What the energy depends on: W [V, H], b [V], c [H] and the kind of visible unit. */
export interface RbmParams {
  readonly visible: RbmVisibleUnits;
  readonly weight: Tensor;
  readonly visibleBias: Tensor;
  readonly hiddenBias: Tensor;
}

/** The hidden units' total input v W + c: [N, V] → [N, H]. */
export function hiddenInput(p: RbmParams, v: Tensor): Tensor {
  return add(matmul(v, p.weight), p.hiddenBias);
}

/** The visible units' total input h Wᵀ + b: [N, H] → [N, V]. */
export function visibleInput(p: RbmParams, h: Tensor): Tensor {
  return add(matmul(h, p.weight, { transposeB: true }), p.visibleBias);
}

/** E[v | h]: σ(h Wᵀ + b) for Bernoulli units, h Wᵀ + b (the Gaussian's mean) for Gaussian ones. */
export function visibleMeanOf(p: RbmParams, h: Tensor): Tensor {
  const input = visibleInput(p, h);
  return p.visible === 'bernoulli' ? sigmoid(input) : input;
}

/** A draw of v given its conditional mean: Bernoulli(mean), or mean + N(0, I). */
export function sampleVisibleFrom(visible: RbmVisibleUnits, mean: Tensor, generator?: Generator): Tensor {
  return visible === 'bernoulli'
    ? bernoulli(mean, undefined, { generator })
    : add(mean, randn(mean.shape, { dtype: mean.dtype, generator }));
}

/**
 * The visible units' own part of the free energy, per example [N]: −v·b (Bernoulli) or
 * ½‖v − b‖² (Gaussian).
 */
export function visibleEnergy(visible: RbmVisibleUnits, v: Tensor, bias: Tensor): Tensor {
  return visible === 'bernoulli' ? neg(matmul(v, bias)) : mul(sum(square(sub(v, bias)), [1]), 0.5);
}

/**
 * F(v) = −log Σ_h exp(−E(v, h)) = visibleEnergy(v) − Σ_j softplus((v W + c)_j), per example [N].
 * `input` is v W + c when the caller has it already (the CD step shares it with the chain).
 */
export function freeEnergyOf(p: RbmParams, v: Tensor, input: Tensor = hiddenInput(p, v)): Tensor {
  return sub(visibleEnergy(p.visible, v, p.visibleBias), sum(softplus(input), [1]));
}
