/**
 * The importance-weighted bound of Burda, Grosse & Salakhutdinov (2016), used to evaluate a VAE:
 * with k samples zᵢ ~ q(z | x) and weights wᵢ = p(x | zᵢ)·p(zᵢ) / q(zᵢ | x),
 *
 *     L_k(x) = log (1/k) Σᵢ wᵢ  ≤  log p(x),
 *
 * which equals the one-sample ELBO estimate for k = 1, increases (in expectation) with k, and
 * tends to log p(x). Pure functions; the VAE's `logLikelihood` draws the samples.
 */
import { add, fmtShape, logsumexp, ShapeError, sub, type Tensor } from '@axon/tensor';
import { diagonalGaussianLogDensity, standardNormalLogDensity } from './elbo';
import { type DecoderOutput, decoderLogLikelihood } from './likelihood';

/**
 * log w = log p(x | z) + log p(z) − log q(z | x) for each row: x [M, ...], z, mu, logVar [M, Z],
 * the decoder's output for z → [M].
 */
export function importanceLogWeights(
  x: Tensor,
  decoded: DecoderOutput,
  z: Tensor,
  mu: Tensor,
  logVar: Tensor,
): Tensor {
  return sub(
    add(decoderLogLikelihood(decoded, x), standardNormalLogDensity(z)),
    diagonalGaussianLogDensity(z, mu, logVar),
  );
}

/** log (1/k) Σᵢ exp(logWeights[i, n]) for log-weights [k, N] → [N], computed stably (log-sum-exp). */
export function iwaeBound(logWeights: Tensor): Tensor {
  if (logWeights.rank !== 2) {
    throw new ShapeError(`iwaeBound: expected log-weights [k, N], got ${fmtShape(logWeights.shape)}`);
  }
  return sub(logsumexp(logWeights, [0]), Math.log(logWeights.shape[0]));
}
