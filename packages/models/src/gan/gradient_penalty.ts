/**
 * Gradient penalties on the discriminator's input gradient: WGAN-GP's (Gulrajani et al. 2017), which
 * pushes the critic towards unit gradient norm on points between real and fake examples,
 * E[(‖∇ₓ̂ D(x̂)‖₂ − 1)²], and R1 (Mescheder et al. 2018), which pushes the discriminator's gradient
 * on real examples towards zero, E[‖∇ₓ D(x)‖₂²]. The gradient with respect to the input is taken
 * with `createGraph`, so each penalty is itself differentiable and its gradient (a second-order
 * one) reaches the discriminator's parameters. Pure functions of a critic function.
 */
import { grad, gradOf } from '@axon/autograd';
import {
  add,
  checkOptions,
  fmtShape,
  type Generator,
  mean,
  mul,
  rand,
  reshape,
  ShapeError,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
} from '@axon/tensor';

export interface GradientPenaltyOptions {
  /** The interpolation weights α, [N] or [N, 1, …] (broadcast over each example); default U(0, 1). */
  alpha?: Tensor;
  /** Where α comes from when not given (default: the generator seeded by `manualSeed`). */
  generator?: Generator;
}

/** x̂ = α·real + (1 − α)·fake, with α [N] reshaped to broadcast over each example. */
export function interpolate(real: Tensor, fake: Tensor, alpha: Tensor): Tensor {
  if (real.shape.join() !== fake.shape.join()) {
    throw new ShapeError(
      `gradientPenalty: expected fake shaped like real ${fmtShape(real.shape)}, got ${fmtShape(fake.shape)}`,
    );
  }
  const N = real.shape[0];
  const a =
    alpha.rank === 1 && real.rank > 1 ? reshape(alpha, [N, ...real.shape.slice(1).map(() => 1)]) : alpha;
  if (a.shape[0] !== N || a.rank !== real.rank || a.shape.slice(1).some((d) => d !== 1)) {
    throw new ShapeError(
      `gradientPenalty: expected alpha [${N}] or [${[N, ...real.shape.slice(1).map(() => 1)].join(', ')}], got ${fmtShape(alpha.shape)}`,
    );
  }
  return add(mul(a, real), mul(sub(1, a), fake));
}

/**
 * mean over the batch of (‖∇ₓ̂ Σ critic(x̂)‖₂ − 1)², x̂ = α·real + (1 − α)·fake, the norm taken over
 * each example's values. `critic` maps [N, ...] to scores [N] or [N, 1]; each score must depend on
 * its own example only (no batch norm in the critic). Differentiable in the critic's parameters.
 */
export function gradientPenalty(
  critic: (x: Tensor) => Tensor,
  real: Tensor,
  fake: Tensor,
  options: GradientPenaltyOptions = {},
): Tensor {
  const o = checkOptions('gradientPenalty', options) as GradientPenaltyOptions;
  if (real.rank < 2) {
    throw new ShapeError(`gradientPenalty: expected real [N, ...] of rank >= 2, got ${fmtShape(real.shape)}`);
  }
  const N = real.shape[0];
  const alpha = o.alpha ?? rand([N], { dtype: real.dtype, generator: o.generator });
  const xHat = interpolate(real.detach(), fake.detach(), alpha);
  const norms = sqrt(squaredInputGradNorms(critic, xHat));
  return mean(square(sub(norms, 1)));
}

/**
 * The R1 penalty: mean over the batch of ‖∇ₓ Σ critic(x)‖₂² at the real examples x (each example's
 * squared norm over its values). The non-saturating GAN's regulariser of Mescheder et al. 2018,
 * added to the discriminator's loss as γ/2 times this. Same contract as gradientPenalty for
 * `critic`; differentiable in the critic's parameters.
 */
export function r1Penalty(critic: (x: Tensor) => Tensor, real: Tensor): Tensor {
  if (real.rank < 2) {
    throw new ShapeError(`r1Penalty: expected real [N, ...] of rank >= 2, got ${fmtShape(real.shape)}`);
  }
  return mean(squaredInputGradNorms(critic, real.detach()));
}

/**
 * The R1 penalty from `scores` the discriminator has already computed on the real examples `x`
 * (a tensor that requires a gradient: `real.detach().requiresGrad_()`), so that the loss on those
 * scores and the penalty share one forward pass: mean over the batch of ‖∇ₓ Σ scores‖₂².
 * Differentiable in the discriminator's parameters; the graph of `scores` stays usable. A backward
 * through it also reaches `x.grad`, which the caller clears.
 */
export function r1PenaltyAt(scores: Tensor, x: Tensor): Tensor {
  if (x.rank < 2) {
    throw new ShapeError(`r1PenaltyAt: expected x [N, ...] of rank >= 2, got ${fmtShape(x.shape)}`);
  }
  const [g] = gradOf(sum(scores), [x], { createGraph: true });
  return mean(squaredNorms(g));
}

/** ‖∇ₓ Σ critic(x)‖₂² per example [N], kept differentiable (createGraph). */
function squaredInputGradNorms(critic: (x: Tensor) => Tensor, x: Tensor): Tensor {
  const [g] = grad((t) => sum(critic(t)), { createGraph: true })(x);
  return squaredNorms(g);
}

/** Each example's squared norm [N] of g [N, ...]. */
function squaredNorms(g: Tensor): Tensor {
  const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
  return sum(square(g), axes);
}
