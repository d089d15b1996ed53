/**
 * torch.multinomial, drawn from the seeded generator with composed ops so that any backend runs
 * it. With replacement: inverse-CDF sampling (the index of a uniform draw u·total in the running
 * sum of the row, a comparison count, so zero-probability categories are never picked). Without
 * replacement: the exponential-race trick, the top numSamples of log(u) / p, which gives the
 * sequential draw-and-remove distribution in one sort. The inputs are read once on the host to
 * validate them, as torch does.
 */
import { isFloat } from '../dtype';
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import { ENGINE } from '../global_engine';
import type { Generator } from '../random/generator';
import type { Tensor } from '../tensor';
import { checkBoolean, checkPositiveInt } from '../validate';
import { arange } from './creation';
import { cumsum } from './cumsum';
import { div, gt, le, log, minimum, mul, where } from './elementwise';
import { narrow } from './movement';
import { rand } from './random';
import { max, sum } from './reduce';
import { reshape } from './shape';
import { topk } from './sort';
import { assertTensor, op } from './util';

export interface MultinomialOptions {
  /** Draw with replacement (default false: each category at most once per row). */
  replacement?: boolean;
  /** Defaults to the generator seeded by `manualSeed`. */
  generator?: Generator;
}

/**
 * `numSamples` category indices (int32) per row of `probs` (1-D: [numSamples], 2-D: [rows,
 * numSamples]), drawn with probability proportional to the row's weights, which need not sum to 1.
 */
export const multinomial = op(
  (probs: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor => {
    assertTensor('multinomial', probs, 'probs');
    if (probs.rank !== 1 && probs.rank !== 2) {
      throw new ShapeError(`multinomial: expected probs of rank 1 or 2, got shape ${fmtShape(probs.shape)}`);
    }
    if (!isFloat(probs.dtype)) {
      throw new DTypeError(`multinomial: expected 'probs' to be float32 or float64, got ${probs.dtype}`);
    }
    checkPositiveInt('multinomial', 'numSamples', numSamples);
    const { generator } = options;
    const replacement = checkBoolean('multinomial', 'replacement', options.replacement ?? false);
    const n = probs.shape[probs.rank - 1];
    const rows = probs.rank === 1 ? 1 : probs.shape[0];
    if (n === 0) throw new ValueError(`multinomial: probs ${fmtShape(probs.shape)} has no categories`);
    if (!replacement && numSamples > n) {
      throw new ValueError(
        `multinomial: cannot draw ${numSamples} samples without replacement from ${n} categories`,
      );
    }
    const values = ENGINE.readSync(probs);
    for (let r = 0; r < rows; r++) {
      let total = 0;
      let positive = 0;
      for (let j = 0; j < n; j++) {
        const v = values[r * n + j];
        if (!Number.isFinite(v) || v < 0) {
          throw new ValueError(`multinomial: probabilities must be finite and >= 0, got ${v} in row ${r}`);
        }
        total += v;
        if (v > 0) positive++;
      }
      if (!(total > 0)) throw new ValueError(`multinomial: row ${r} of probs sums to 0`);
      if (!replacement && positive < numSamples) {
        throw new ValueError(
          `multinomial: row ${r} has ${positive} non-zero categories, too few to draw ${numSamples} without replacement`,
        );
      }
    }
    const p = reshape(probs, [rows, n]);
    let idx: Tensor;
    if (replacement) {
      const cdf = cumsum(p, 1);
      const u = mul(rand([rows, numSamples], { generator, dtype: p.dtype }), narrow(cdf, 1, n - 1, 1));
      // #{j : cdf_j <= u}, capped at the last category with a non-zero weight (rounding guard).
      const below = sum(le(reshape(cdf, [rows, 1, n]), reshape(u, [rows, numSamples, 1])), 2);
      const lastPositive = max(where(gt(p, 0), arange(0, n, 1, 'int32'), -1), 1, true);
      idx = minimum(below, lastPositive);
    } else {
      const u = rand([rows, n], { generator, dtype: p.dtype });
      const keys = where(gt(p, 0), div(log(u), p), Number.NEGATIVE_INFINITY);
      idx = topk(keys, numSamples, { axis: 1 }).indices;
    }
    return probs.rank === 1 ? reshape(idx, [numSamples]) : idx;
  },
);
