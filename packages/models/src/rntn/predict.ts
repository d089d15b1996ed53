/**
 * `RNTN.predict`: the sentiment of one sentence, an SST tree or raw text (tokenised and joined
 * right-branching, see text.ts), at the root and at every node.
 */
import { describeValue, tensor, ValueError } from '@axon/tensor';
import { encodeTreeRows, postOrder, type SentimentTree } from './plan';
import type { RNTN } from './rntn';
import { binarize } from './text';

export interface RntnPrediction {
  /** The root's predicted class. */
  label: number;
  /** The root's class probabilities. */
  probabilities: number[];
  /** Every node in post-order (the root last): its predicted class and its words. */
  nodes: { label: number; words: string[] }[];
  /** A copy of the tree with every node labelled by its predicted class. */
  tree: SentimentTree;
}

function argmaxOf(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** A copy of `tree` with each node's label `label(node)` (the node of the original tree). */
function relabel(tree: SentimentTree, label: (t: SentimentTree) => number): SentimentTree {
  const copies = new Map<SentimentTree, SentimentTree>();
  for (const t of postOrder(tree)) {
    copies.set(
      t,
      t.word !== undefined
        ? { label: label(t), word: t.word }
        : {
            label: label(t),
            left: copies.get(t.left as SentimentTree),
            right: copies.get(t.right as SentimentTree),
          },
    );
  }
  return copies.get(tree) as SentimentTree;
}

/** See `RNTN.predict`. */
export function predictSentence(model: RNTN, sentence: SentimentTree | string): RntnPrediction {
  const tree = typeof sentence === 'string' ? binarize('RNTN.predict', sentence) : sentence;
  if (typeof tree !== 'object' || tree === null) {
    throw new ValueError(`RNTN.predict: expected an SST tree or a string, got ${describeValue(sentence)}`);
  }
  // Labels do not matter here: encode a copy labelled 0 so an unlabelled tree is accepted too.
  const order = postOrder(tree);
  const { rows } = encodeTreeRows(
    'RNTN.predict',
    [relabel(tree, () => 0)],
    (w) => model.wordId(w),
    model.classes,
  );
  const x = tensor(rows, { shape: [order.length, 3], dtype: 'int32' });
  const p = model.probabilities(x);
  x.dispose();
  const C = model.classes;
  const labels = order.map((_, i) => argmaxOf(p.subarray(i * C, (i + 1) * C)));
  const byNode = new Map(order.map((t, i) => [t, labels[i]]));
  const phrases = new Map<SentimentTree, string[]>();
  const nodes = order.map((t, i) => {
    const words =
      t.word !== undefined
        ? [t.word]
        : [...(phrases.get(t.left as SentimentTree) ?? []), ...(phrases.get(t.right as SentimentTree) ?? [])];
    phrases.set(t, words);
    return { label: labels[i], words };
  });
  const root = order.length - 1;
  return {
    label: labels[root],
    probabilities: Array.from(p.subarray(root * C, (root + 1) * C)),
    nodes,
    tree: relabel(tree, (t) => byNode.get(t) as number),
  };
}
