/**
 * Scoring generated digits with the mnist-cnn example's trained classifier (shared by mnist-dcgan
 * and mnist-cgan). The classifier is `examples/mnist-cnn/out/mnist-cnn.axon`, written by a full
 * `pnpm example mnist-cnn` run (99% on the test set); without it the GAN examples skip the score.
 *
 * - The MNIST "inception score" (Salimans et al. 2016 with an MNIST classifier in place of
 *   Inception): exp(E_x[KL(p(y | x) ‖ p(y))]), p(y) the mean of p(y | x) over the samples. It is 10
 *   when every sample is classified with certainty and the ten digits are equally frequent, 1 when
 *   the classifier cannot tell the samples apart.
 * - The share of samples the classifier puts in each class (argmax), for mode collapse.
 * - For a conditional GAN, how often the classifier agrees with the digit asked for.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad } from '@axon/autograd';
import { load, type Module } from '@axon/layers';
import * as ax from '@axon/tensor';

export const CLASSIFIER_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'mnist-cnn',
  'out',
  'mnist-cnn.axon',
);

/**
 * The trained MNIST classifier in eval mode, or null (with a line saying how to make it, unless
 * `quiet`: the per-epoch scores look for it after every epoch, as a run of mnist-cnn may write it
 * meanwhile).
 */
export async function loadClassifier(who: string, quiet = false): Promise<Module | null> {
  if (!existsSync(CLASSIFIER_PATH)) {
    if (quiet) return null;
    console.warn(
      `${who}: no classifier at ${CLASSIFIER_PATH}; skipping the score. Make it with a full run of the ` +
        'CNN example (about 99% test accuracy; it saves the model there): pnpm example mnist-cnn',
    );
    return null;
  }
  const { model } = await load(CLASSIFIER_PATH);
  model.eval();
  return model;
}

/**
 * The classifier's p(y | x) for `count` images made `batch` at a time by `make(start, n)` (images
 * in [−1, 1], as a tanh generator gives them; the classifier saw [0, 1]). Returns [count × 10].
 */
export async function classProbabilities(
  classifier: Module,
  count: number,
  make: (start: number, n: number) => ax.Tensor,
  batch = 500,
): Promise<Float32Array> {
  const out = new Float32Array(count * 10);
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const p = ax.tidy(() =>
      noGrad(() => ax.softmax(classifier.forward(ax.div(ax.add(make(start, n), 1), 2)), -1)),
    );
    out.set((await p.data()) as Float32Array, start * 10);
    p.dispose();
  }
  return out;
}

/** exp(mean over samples of KL(p(y | x) ‖ p(y))) for probabilities [N × 10]. */
export function inceptionScore(probs: Float32Array): number {
  const n = probs.length / 10;
  const py = new Float64Array(10);
  for (let i = 0; i < n; i++) for (let c = 0; c < 10; c++) py[c] += probs[i * 10 + c] / n;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 10; c++) {
      const p = probs[i * 10 + c];
      if (p > 0) kl += p * (Math.log(p) - Math.log(py[c]));
    }
  }
  return Math.exp(kl / n);
}

/** The argmax class of each row of probabilities [N × 10]. */
export function predictedClasses(probs: Float32Array): Int32Array {
  const n = probs.length / 10;
  const cls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[i * 10 + c] > probs[i * 10 + best]) best = c;
    cls[i] = best;
  }
  return cls;
}

/** The fraction of the samples in each of the 10 classes. */
export function classShares(classes: Int32Array): number[] {
  const shares = new Array<number>(10).fill(0);
  for (const c of classes) shares[c] += 1 / classes.length;
  return shares;
}
