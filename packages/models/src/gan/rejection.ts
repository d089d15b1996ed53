/**
 * Discriminator rejection sampling (Azadi et al. 2019): a GAN's discriminator, trained to tell
 * real images from the generator's, carries in its logit D(x) an estimate of log p_data(x) /
 * p_g(x) up to a constant (exactly so for the optimal discriminator of the non-saturating GAN).
 * Keeping each generated image with probability min(1, exp(D(x) − τ)) therefore moves the kept
 * images' distribution from the generator's towards the data's; with τ = max D it is plain
 * rejection sampling of p_data, lower τ keeps more. Here τ is set from the first round of
 * candidates so that a chosen share of them is kept (`accept`), so one knob trades drawing time
 * for fidelity.
 *
 * Why it is a function beside the GAN rather than part of `sample`: it needs the discriminator's
 * scores on the host (one read-back per round of candidates) and so is async, where `sample` is
 * one synchronous forward pass.
 */
import { noGrad } from '@axon/autograd';
import {
  checkNumber,
  checkOptions,
  checkPositiveInt,
  type Generator,
  rand,
  type Tensor,
  tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import type { GAN } from './gan';

export interface RejectionSampleOptions {
  /** The share of candidates to keep, in (0, 1] (default 0.5); sets τ from the first round. */
  accept?: number;
  /** τ itself, instead of `accept` (e.g. a previous call's `threshold`, to draw more alike). */
  threshold?: number;
  /** Noise, codes and the acceptance draws (default: the generator `manualSeed` seeds). */
  generator?: Generator;
  /** Draw from the trained generator rather than its average (default: the average, as `sample`). */
  averaged?: boolean;
  /** A conditional GAN's class per image, as `sample` takes them (default: 0, 1, …, cycling). */
  labels?: number[];
  /** Candidates per round (default 500); the first round has at least 2,000 to set τ. */
  batch?: number;
}

export interface RejectionSample {
  /** The n kept images [n, channels, imageSize, imageSize]. */
  images: Tensor;
  /** τ: each candidate was kept with probability min(1, exp(D(x) − τ)). */
  threshold: number;
  /** Candidates drawn to keep n. */
  candidates: number;
}

/** Candidates in the round that sets τ from `accept`. */
const CALIBRATION = 2000;

/**
 * n images from `gan` by discriminator rejection sampling (see the file head). Runs in the GAN's
 * current mode (call `eval()` first, as for `sample`) and without gradients. The same generator
 * state gives the same images.
 */
export async function rejectionSample(
  gan: GAN,
  n: number,
  options: RejectionSampleOptions = {},
): Promise<RejectionSample> {
  const fn = 'rejectionSample';
  checkPositiveInt(fn, 'n', n);
  const o = checkOptions(fn, options) as RejectionSampleOptions;
  if (gan.loss !== 'nonSaturating') {
    throw new ValueError(
      `${fn}: expected a GAN with loss 'nonSaturating' (its discriminator's logit estimates the density ratio), got '${gan.loss}' (a critic's score does not)`,
    );
  }
  if (o.accept !== undefined && o.threshold !== undefined) {
    throw new ValueError(
      `${fn}: pass accept or threshold, not both (got accept ${o.accept}, threshold ${o.threshold})`,
    );
  }
  const accept =
    o.threshold === undefined
      ? checkNumber(fn, 'accept', o.accept ?? 0.5, { min: 0, max: 1, exclusiveMin: true })
      : null;
  let threshold = o.threshold === undefined ? null : checkNumber(fn, 'threshold', o.threshold);
  const batch = checkPositiveInt(fn, 'batch', o.batch ?? 500);
  const classes = gan.cond?.numClasses;
  const labels =
    classes === undefined ? null : (o.labels ?? Array.from({ length: n }, (_, i) => i % classes));
  if (labels === null && o.labels !== undefined) {
    throw new ValueError(`${fn}: got labels, but the GAN is unconditional (build it with numClasses)`);
  }
  if (labels && labels.length !== n) {
    throw new ValueError(`${fn}: expected ${n} labels (one per image), got ${labels.length}`);
  }

  const shape = [gan.channels, gan.imageSize, gan.imageSize];
  const size = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(n * size);
  let pending = Array.from({ length: n }, (_, i) => i); // the slots still empty
  let candidates = 0;
  const cap = Math.max(n, CALIBRATION);
  while (pending.length > 0) {
    // A round: candidates for the empty slots in turn, in batches. The first has at least
    // CALIBRATION when it sets τ; later ones as many as the share kept so far says should fill
    // the slots left, at most `cap` (which bounds the memory). Past 20 · cap candidates in all,
    // the threshold keeps too few to go on.
    const kept = n - pending.length;
    if (candidates > 20 * cap) {
      throw new ValueError(
        `${fn}: kept ${kept} of ${candidates} candidates with threshold ${threshold} (${n} asked for); a lower threshold or a larger accept keeps more`,
      );
    }
    const m =
      candidates === 0
        ? o.threshold === undefined
          ? cap
          : n
        : Math.min(cap, Math.ceil((pending.length * candidates) / Math.max(kept, 1)));
    const slots = Array.from({ length: m }, (_, i) => pending[i % pending.length]);
    const images = new Float32Array(m * size);
    const scores = new Float32Array(m);
    for (let start = 0; start < m; start += batch) {
      const part = slots.slice(start, start + batch);
      const [x, d] = tidy(() =>
        noGrad(() => {
          const y = labels ? part.map((s) => labels[s]) : undefined;
          const x = gan.sample(part.length, y, { generator: o.generator, averaged: o.averaged });
          return [x, gan.discriminator.forward(x, y ? tensor(y, { dtype: 'int32' }) : undefined)];
        }),
      );
      images.set((await x.data()) as Float32Array, start * size);
      scores.set((await d.data()) as Float32Array, start);
      x.dispose();
      d.dispose();
    }
    const u = rand([m], { generator: o.generator });
    const draws = (await u.data()) as Float32Array;
    u.dispose();
    threshold ??= thresholdFor(scores, accept as number);
    candidates += m;
    const filled = new Set<number>();
    for (let i = 0; i < m; i++) {
      const slot = slots[i];
      if (filled.has(slot) || draws[i] >= Math.min(1, Math.exp(scores[i] - threshold))) continue;
      out.set(images.subarray(i * size, (i + 1) * size), slot * size);
      filled.add(slot);
    }
    pending = pending.filter((s) => !filled.has(s));
  }
  // n ≥ 1, so the first round has set τ.
  return { images: tensor(out, { shape: [n, ...shape] }), threshold: threshold as number, candidates };
}

/**
 * τ such that the mean of min(1, exp(s − τ)) over the scores is `accept` (bisection: the mean falls
 * from 1 at τ = min s to at most `accept` at τ = max s − ln accept).
 */
export function thresholdFor(scores: Float32Array, accept: number): number {
  checkNumber('thresholdFor', 'accept', accept, { min: 0, max: 1, exclusiveMin: true });
  if (scores.length === 0) throw new ValueError('thresholdFor: expected at least one score, got none');
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  if (accept >= 1) return lo;
  hi -= Math.log(accept);
  for (let it = 0; it < 100 && hi - lo > 1e-9 * Math.max(1, Math.abs(hi)); it++) {
    const tau = (lo + hi) / 2;
    let mean = 0;
    for (const s of scores) mean += Math.min(1, Math.exp(s - tau));
    if (mean / scores.length > accept) lo = tau;
    else hi = tau;
  }
  return (lo + hi) / 2;
}
