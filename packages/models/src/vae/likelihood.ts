/**
 * The decoder distributions p(x | z) of a VAE and their log-likelihoods, as pure functions: the
 * ELBO, the importance-weighted bound and the tests all use these, not the Module. Every function
 * returns one value per example, summed over the other axes.
 */
import {
  add,
  binaryCrossEntropyWithLogits,
  exp,
  fmtShape,
  mul,
  neg,
  ShapeError,
  square,
  sub,
  sum,
  type Tensor,
} from '@axon/tensor';

/**
 * What a VAE's decoder gives for a batch of codes: Bernoulli logits, or a Gaussian's mean and
 * log-variance (a tensor shaped like the mean when learned, a number when fixed). Shapes are
 * [N, ...dataShape].
 */
export type DecoderOutput =
  | { kind: 'bernoulli'; logits: Tensor }
  | { kind: 'gaussian'; mean: Tensor; logVar: Tensor | number };

/** The non-batch axes of a tensor [N, ...]. */
export function exampleAxes(t: Tensor): number[] {
  return Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
}

function sumPerExample(t: Tensor): Tensor {
  return t.rank > 1 ? sum(t, exampleAxes(t)) : t;
}

function checkSame(fn: string, a: Tensor, b: Tensor, what: string): void {
  if (a.rank < 1 || a.shape.join() !== b.shape.join()) {
    throw new ShapeError(
      `${fn}: expected x shaped like the ${what} ${fmtShape(a.shape)}, got ${fmtShape(b.shape)}`,
    );
  }
}

/**
 * log p(x | logits) = Σ [x·log σ(l) + (1 − x)·log(1 − σ(l))] = −Σ BCEWithLogits(l, x) per example:
 * [N, ...] → [N]. x in [0, 1] (binary, or grey levels as probabilities).
 */
export function bernoulliLogLikelihood(logits: Tensor, x: Tensor): Tensor {
  checkSame('bernoulliLogLikelihood', logits, x, 'logits');
  return neg(sumPerExample(binaryCrossEntropyWithLogits(logits, x, { reduction: 'none' })));
}

/**
 * log N(x; mean, exp(logVar)) = −½ Σ [log 2π + logVar + (x − mean)²·exp(−logVar)] per example:
 * [N, ...] → [N]. `logVar` is a tensor shaped like mean, or one number for every value.
 */
export function gaussianLogLikelihood(mean: Tensor, logVar: Tensor | number, x: Tensor): Tensor {
  checkSame('gaussianLogLikelihood', mean, x, 'mean');
  if (typeof logVar !== 'number') checkSame('gaussianLogLikelihood', mean, logVar, 'mean (logVar)');
  const sq = square(sub(x, mean));
  const scaled = typeof logVar === 'number' ? mul(sq, Math.exp(-logVar)) : mul(sq, exp(neg(logVar)));
  const perValue = add(add(scaled, logVar), Math.log(2 * Math.PI));
  return mul(sumPerExample(perValue), -0.5);
}

/** log p(x | z) for a decoder's output, per example [N]. */
export function decoderLogLikelihood(decoded: DecoderOutput, x: Tensor): Tensor {
  return decoded.kind === 'bernoulli'
    ? bernoulliLogLikelihood(decoded.logits, x)
    : gaussianLogLikelihood(decoded.mean, decoded.logVar, x);
}
