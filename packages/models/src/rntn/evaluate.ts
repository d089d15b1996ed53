/**
 * The four accuracies of Socher et al. 2013, Table 1, for a 5-class sentiment model on labelled
 * trees: fine-grained (5 classes) over all nodes and at the root; binary (negative 0–1 against
 * positive 3–4) over all nodes whose gold label is not neutral, and at the roots of the sentences
 * that are not neutral. The binary prediction of a 5-class model ignores the neutral class: a node
 * is called positive when P(3) + P(4) > P(0) + P(1).
 */
import { checkPositiveInt, describeValue, ValueError } from '@axon/tensor';
import type { SentimentTree } from './plan';
import type { RNTN } from './rntn';

export interface SentimentAccuracy {
  /** Fractions in [0, 1]. */
  fineAll: number;
  fineRoot: number;
  binaryAll: number;
  binaryRoot: number;
  /** How many nodes / roots each fraction counts. */
  counts: { fineAll: number; fineRoot: number; binaryAll: number; binaryRoot: number };
}

/** The four accuracies of `model` on `trees`, run in minibatches of `batchSize` trees (default 256). */
export function sentimentAccuracy(
  model: RNTN,
  trees: readonly SentimentTree[],
  options: { batchSize?: number } = {},
): SentimentAccuracy {
  if (!Array.isArray(trees) || trees.length === 0) {
    throw new ValueError(
      `sentimentAccuracy: expected a non-empty array of trees, got ${describeValue(trees)}`,
    );
  }
  if (model.classes !== 5) {
    throw new ValueError(`sentimentAccuracy: expected a 5-class model, got ${model.classes} classes`);
  }
  const batchSize = checkPositiveInt('sentimentAccuracy', 'batchSize', options.batchSize ?? 256);
  const right = { fineAll: 0, fineRoot: 0, binaryAll: 0, binaryRoot: 0 };
  const counts = { fineAll: 0, fineRoot: 0, binaryAll: 0, binaryRoot: 0 };
  for (let i = 0; i < trees.length; i += batchSize) {
    const { x, y } = model.encode(trees.slice(i, i + batchSize));
    const roots = new Set(model.plan(x).roots);
    const p = model.probabilities(x);
    const gold = y.dataSync() as Int32Array;
    x.dispose();
    y.dispose();
    for (let r = 0; r < gold.length; r++) {
      const q = p.subarray(5 * r, 5 * r + 5);
      let fine = 0;
      for (let c = 1; c < 5; c++) if (q[c] > q[fine]) fine = c;
      const isRoot = roots.has(r);
      const fineOk = fine === gold[r] ? 1 : 0;
      right.fineAll += fineOk;
      counts.fineAll++;
      if (isRoot) {
        right.fineRoot += fineOk;
        counts.fineRoot++;
      }
      if (gold[r] === 2) continue;
      const binOk = q[3] + q[4] > q[0] + q[1] === gold[r] > 2 ? 1 : 0;
      right.binaryAll += binOk;
      counts.binaryAll++;
      if (isRoot) {
        right.binaryRoot += binOk;
        counts.binaryRoot++;
      }
    }
  }
  const frac = (k: keyof typeof right) => (counts[k] > 0 ? right[k] / counts[k] : Number.NaN);
  return {
    fineAll: frac('fineAll'),
    fineRoot: frac('fineRoot'),
    binaryAll: frac('binaryAll'),
    binaryRoot: frac('binaryRoot'),
    counts,
  };
}
