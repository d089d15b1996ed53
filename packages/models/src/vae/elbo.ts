/**
 * The evidence lower bound of a VAE (Kingma & Welling 2014), as pure functions of the encoder's
 * and decoder's outputs: ELBO(x) = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)), with q = N(mu,
 * exp(logVar)) and p(z) = N(0, I). The KL term is analytic by default, or a one-sample Monte
 * Carlo estimate log q(z | x) − log p(z), which makes the ELBO estimate equal the importance
 * weighted bound with k = 1.
 */
import {
  add,
  checkOneOf,
  checkOptions,
  exp,
  fmtShape,
  klDivGaussian,
  mul,
  neg,
  ShapeError,
  square,
  sub,
  sum,
  type Tensor,
} from '@axon/tensor';
import { type DecoderOutput, decoderLogLikelihood } from './likelihood';

const LOG_2PI = Math.log(2 * Math.PI);

function checkLatent(fn: string, what: string, t: Tensor, like: Tensor): void {
  if (t.rank !== 2 || t.shape.join() !== like.shape.join()) {
    throw new ShapeError(
      `${fn}: expected ${what} [N, Z] shaped like mu ${fmtShape(like.shape)}, got ${fmtShape(t.shape)}`,
    );
  }
}

/** KL(N(mu, exp(logVar)) ‖ N(0, I)) = −½ Σ (1 + logVar − mu² − exp(logVar)) per example: [N, Z] → [N]. */
export function gaussianKl(mu: Tensor, logVar: Tensor): Tensor {
  checkLatent('gaussianKl', 'logVar', logVar, mu);
  return sum(klDivGaussian(mu, logVar, { reduction: 'none' }), [1]);
}

/** log N(z; mu, exp(logVar)) = −½ Σ [log 2π + logVar + (z − mu)²·exp(−logVar)] per example: [N, Z] → [N]. */
export function diagonalGaussianLogDensity(z: Tensor, mu: Tensor, logVar: Tensor): Tensor {
  checkLatent('diagonalGaussianLogDensity', 'z', z, mu);
  checkLatent('diagonalGaussianLogDensity', 'logVar', logVar, mu);
  const perValue = add(add(mul(square(sub(z, mu)), exp(neg(logVar))), logVar), LOG_2PI);
  return mul(sum(perValue, [1]), -0.5);
}

/** log N(z; 0, I) = −½ Σ (log 2π + z²) per example: [N, Z] → [N]. */
export function standardNormalLogDensity(z: Tensor): Tensor {
  if (z.rank !== 2)
    throw new ShapeError(`standardNormalLogDensity: expected z [N, Z], got ${fmtShape(z.shape)}`);
  return mul(sum(add(square(z), LOG_2PI), [1]), -0.5);
}

/** How the ELBO's KL term is computed: 'analytic' (the default) or 'monteCarlo' (one sample, at z). */
export const KL_ESTIMATORS = ['analytic', 'monteCarlo'] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

export interface ElboInputs {
  /** The data [N, ...dataShape]. */
  x: Tensor;
  /** The decoder's output for z, shaped like x. */
  decoded: DecoderOutput;
  /** The posterior's mean and log-variance [N, Z]. */
  mu: Tensor;
  logVar: Tensor;
  /** The code the decoder saw [N, Z] (needed for 'monteCarlo'). */
  z?: Tensor;
  /** Default 'analytic'. */
  kl?: KlEstimator;
}

/** The ELBO and its two terms, one value per example [N]. */
export interface ElboTerms {
  /** log p(x | z) − KL. */
  elbo: Tensor;
  /** The reconstruction term −log p(x | z) (the negative log-likelihood of x under the decoder). */
  recon: Tensor;
  /** The KL term, analytic or estimated at z. */
  kl: Tensor;
}

/**
 * The one-sample ELBO estimate of each example, log p(x | z) − KL(q(z | x) ‖ p(z)), with its terms.
 * With `kl: 'monteCarlo'` the KL term is log q(z | x) − log p(z) at the given z.
 */
export function elbo(inputs: ElboInputs): ElboTerms {
  const o = checkOptions('elbo', inputs);
  const { x, decoded, mu, logVar, z } = inputs;
  const estimator = checkOneOf('elbo', 'kl', o.kl ?? 'analytic', KL_ESTIMATORS);
  const recon = neg(decoderLogLikelihood(decoded, x));
  let kl: Tensor;
  if (estimator === 'analytic') {
    kl = gaussianKl(mu, logVar);
  } else {
    if (!z) throw new ShapeError("elbo: kl 'monteCarlo' needs the code z [N, Z], got none");
    kl = sub(diagonalGaussianLogDensity(z, mu, logVar), standardNormalLogDensity(z));
  }
  return { elbo: neg(add(recon, kl)), recon, kl };
}
