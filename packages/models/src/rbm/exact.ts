/**
 * The exact log partition function of a small RBM, by summing over every hidden configuration:
 * with the visible units integrated out analytically,
 *
 *     Bernoulli:  log Z = log Σ_h exp(c·h) Π_i (1 + exp(b_i + (W h)_i))
 *     Gaussian:   log Z = V/2·log 2π + log Σ_h exp(c·h + b·Wh + ½‖Wh‖²)
 *
 * 2^H terms, so only for H ≤ 24: the reference that the AIS estimate is tested against.
 */
import { noGrad } from '@axon/autograd';
import {
  add,
  cast,
  logsumexp,
  matmul,
  mul,
  softplus,
  square,
  sum,
  type Tensor,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import type { RbmParams } from './energy';

/** The most hidden units exactLogPartition enumerates (2^24 configurations). */
export const EXACT_MAX_HIDDEN = 24;

/** Hidden configurations first … first + count − 1 as rows of bits [count, H] (bit j of the index is unit j). */
function hiddenStates(first: number, count: number, H: number): Tensor {
  const bits = new Float64Array(count * H);
  for (let r = 0; r < count; r++) {
    const n = first + r;
    for (let j = 0; j < H; j++) bits[r * H + j] = Math.floor(n / 2 ** j) % 2;
  }
  return tensor(bits, { shape: [count, H], dtype: 'float64' });
}

/** log Z of the RBM `p` by enumerating its 2^H hidden states (in float64). Throws for H > 24. */
export function exactLogPartition(p: RbmParams): number {
  const [V, H] = p.weight.shape;
  if (H > EXACT_MAX_HIDDEN) {
    throw new ValueError(
      `exactLogPartition: expected at most ${EXACT_MAX_HIDDEN} hidden units (2^H terms), got ${H}`,
    );
  }
  const total = 2 ** H;
  const chunk = Math.max(1, Math.min(total, Math.floor(2 ** 22 / Math.max(V, 1))));
  const parts: number[] = [];
  noGrad(() => {
    for (let first = 0; first < total; first += chunk) {
      const count = Math.min(chunk, total - first);
      parts.push(
        tidy(() => {
          const W = cast(p.weight, 'float64');
          const b = cast(p.visibleBias, 'float64');
          const c = cast(p.hiddenBias, 'float64');
          const h = hiddenStates(first, count, H);
          const wh = matmul(h, W, { transposeB: true }); // [count, V]
          const terms =
            p.visible === 'bernoulli'
              ? add(matmul(h, c), sum(softplus(add(wh, b)), [1]))
              : add(add(matmul(h, c), matmul(wh, b)), mul(sum(square(wh), [1]), 0.5));
          return logsumexp(terms).item();
        }),
      );
    }
  });
  const m = Math.max(...parts);
  const log = m + Math.log(parts.reduce((s, a) => s + Math.exp(a - m), 0));
  return p.visible === 'bernoulli' ? log : log + (V / 2) * Math.log(2 * Math.PI);
}
