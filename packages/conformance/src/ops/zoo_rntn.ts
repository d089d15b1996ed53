/**
 * The zoo's RNTN case through the model's own loss: a 5-leaf tree, one composition shared by its
 * four internal nodes and a softmax at every node. The fixture's nodes (leaves 0–4, then internal
 * nodes, each after its children) are exactly the model's node rows (word, left, right), so the
 * tree goes in as they are; its parameters are mapped onto `rntn(...)` by state-dict name.
 */
import * as modelsExports from '@axon/models';
import { add, mul, sum, tensor } from '@axon/tensor';
import { guardExports } from '../api';
import type { CaseContext, CustomMapping } from '../mapping';
import { tensorArg } from '../mapping';
import { fixtureTensor, need } from './zoo_fixture';

const models = guardExports<typeof modelsExports>('@axon/models', modelsExports);

/** The fixture's parameters → the RNTN's state-dict names. */
const RNTN_PARAMS: Record<string, string> = {
  L: 'embedding.weight',
  V: 'compose.V',
  W: 'compose.W',
  b: 'compose.b',
  Ws: 'classifier.weight',
  bs: 'classifier.bias',
};

/**
 * `rntn({vocabulary: V words, dim: d, classes})` given L, V, W, b, Ws, bs: the outputs are the
 * model's `loss` (cross-entropy summed over the nodes) and its `forward` logits; the gradients
 * those of L = loss·R_loss + Σ logits ⊙ R_logits with respect to the model's parameters.
 */
export const rntnTreeLoss: CustomMapping = {
  check: (c: CaseContext) => {
    const fc = c.case;
    const children = c.hyper.children as [number, number][];
    const words = tensorArg(c, 'words').dataSync();
    const [vocabularySize, d] = tensorArg(c, 'L').shape;
    const model = models.rntn({
      vocabulary: Array.from({ length: vocabularySize }, (_, i) => `w${i}`),
      dim: d,
      classes: c.hyper.classes as number,
    });
    try {
      model.loadStateDict(
        Object.fromEntries(Object.entries(RNTN_PARAMS).map(([k, name]) => [name, tensorArg(c, k)])),
      );
      let leaf = 0;
      const rows = children.flatMap(([l, r]) => (l < 0 ? [words[leaf++], -1, -1] : [-1, l, r]));
      const x = tensor(rows, { shape: [children.length, 3], dtype: 'int32' });
      const y = tensorArg(c, 'labels');
      const loss = model.loss({ x, y });
      const logits = model.forward(x);
      const results = [
        { name: "output 'loss'", actual: loss, golden: need(fc.outputs, 'loss', 'output') },
        { name: "output 'logits'", actual: logits, golden: need(fc.outputs, 'logits', 'output') },
      ];
      add(
        sum(mul(loss, fixtureTensor(need(fc.R, 'loss', 'R')))),
        sum(mul(logits, fixtureTensor(need(fc.R, 'logits', 'R')))),
      ).backward();
      const params = model.stateDict();
      for (const [k, name] of Object.entries(RNTN_PARAMS)) {
        const g = params[name].grad;
        if (!g) throw new Error(`no gradient reached ${name} (${k})`);
        // A copy: dispose() below frees the parameter's own gradient.
        results.push({ name: `grad '${k}'`, actual: g.clone(), golden: need(fc.grads, k, 'grad') });
      }
      return results;
    } finally {
      model.dispose();
    }
  },
};
