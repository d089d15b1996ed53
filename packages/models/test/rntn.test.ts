import { Adagrad, SGD } from '@axon/optim';
import { assign, manualSeed, mul, ShapeError, tensor, tidy, ValueError, zerosLike } from '@axon/tensor';
import { expectClose, expectError, valuesOf } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type RNTN, rntn, type SentimentTree, sentimentAccuracy, tokenize } from '../src/rntn';
import { expectSaveLoadRoundTrip, runTrainSteps, stepContext } from './helpers';

beforeEach(() => manualSeed(14));

const leaf = (label: number, word: string): SentimentTree => ({ label, word });
const node = (label: number, left: SentimentTree, right: SentimentTree): SentimentTree => ({
  label,
  left,
  right,
});

const VOCAB = ['<unk>', 'a', 'good', 'bad', 'film', 'not', 'very', '.'];

/** Four trees of different shapes and depths, one a single word. */
const TREES: SentimentTree[] = [
  node(3, node(2, leaf(2, 'a'), leaf(3, 'good')), leaf(2, 'film')),
  node(1, leaf(2, 'not'), node(3, leaf(2, 'very'), node(3, leaf(3, 'good'), leaf(2, 'film')))),
  leaf(0, 'bad'),
  node(0, node(0, node(2, leaf(2, 'a'), leaf(1, 'bad')), leaf(2, 'film')), leaf(2, '.')),
];

const model = (composition: 'tensor' | 'plain' = 'tensor', leafTanh = false) =>
  rntn({ vocabulary: VOCAB, dim: 4, composition, leafTanh });

/** Every parameter's gradient after `backward` of the loss, by name. */
function gradients(m: RNTN, nodeByNode: boolean): { loss: number; grads: Record<string, number[]> } {
  const batch = m.encode(TREES);
  const loss = m.loss(batch, { nodeByNode });
  loss.backward();
  const grads = Object.fromEntries(m.namedParameters().map(([k, p]) => [k, valuesOf(p.grad as never)]));
  m.zeroGrad();
  return { loss: loss.item(), grads };
}

describe('rntn: batched over trees', () => {
  it('plans levels: children before parents, one root per tree', () => {
    const m = model();
    const { x } = m.encode(TREES);
    const plan = m.plan(x);
    expect(plan.nodes).toBe(5 + 7 + 1 + 7);
    expect(plan.leafRows.length).toBe(3 + 4 + 1 + 4);
    expect(plan.levels.map((l) => l.rows.length)).toEqual([3, 3, 2]); // heights 1..3
    expect(Array.from(plan.roots)).toEqual([4, 11, 12, 19]);
    let filled = plan.leafRows.length;
    for (const level of plan.levels) {
      for (const c of [...level.left, ...level.right]) expect(c).toBeLessThan(filled);
      filled += level.rows.length;
    }
  });

  for (const [composition, leafTanh] of [
    ['tensor', false],
    ['plain', false],
    ['tensor', true],
  ] as const) {
    it(`gives the node-by-node loss and gradients, level by level (${composition}, leafTanh ${leafTanh})`, () => {
      const m = model(composition, leafTanh);
      const batched = gradients(m, false);
      const single = gradients(m, true);
      expectClose(batched.loss, single.loss, { rtol: 1e-6 });
      expect(Object.keys(batched.grads)).toEqual(Object.keys(single.grads));
      for (const k of Object.keys(batched.grads))
        expectClose(batched.grads[k], single.grads[k], { rtol: 1e-5, atol: 1e-6 });
    });
  }

  it('squashes the word vectors through tanh at the leaves with leafTanh (the Stanford implementation)', () => {
    const m = model('tensor', true);
    const { x } = m.encode([leaf(0, 'bad'), leaf(2, 'film')]);
    const words = valuesOf(m.embedding.weight);
    const expected = [3, 4].flatMap((w) => words.slice(4 * w, 4 * w + 4).map(Math.tanh));
    expectClose(valuesOf(m.nodeVectors(x)), expected, { rtol: 1e-6 });
    expect(model().leafTanh).toBe(false);
  });

  it('is the plain recursive network when V = 0', () => {
    const t = model('tensor');
    const p = model('plain');
    const s = t.stateDict();
    tidy(() => assign(s['compose.V'], zerosLike(s['compose.V'])));
    p.loadStateDict({
      'embedding.weight': s['embedding.weight'],
      'compose.weight': s['compose.W'],
      'compose.bias': s['compose.b'],
      'classifier.weight': s['classifier.weight'],
      'classifier.bias': s['classifier.bias'],
    });
    const batch = t.encode(TREES);
    expectClose(t.loss(batch).item(), p.loss(batch).item(), { rtol: 1e-6 });
  });

  it.each([false, true])('matches finite differences of its loss (leafTanh %s)', (leafTanh) => {
    const m = model('tensor', leafTanh);
    const batch = m.encode(TREES);
    const loss = () => tidy(() => m.loss(batch).item());
    const analytic = gradients(m, false).grads;
    const params = m.stateDict();
    const eps = 1e-2;
    // A few entries of each parameter (word 2 = 'good' appears twice: its gradient accumulates).
    for (const [name, entries] of [
      ['compose.V', [0, 37, 100, 255]],
      ['compose.W', [0, 13, 31]],
      ['compose.b', [2]],
      ['classifier.weight', [5, 19]],
      ['embedding.weight', [2 * 4 + 1, 5 * 4 + 3]],
    ] as const) {
      const p = params[name];
      for (const i of entries) {
        const base = valuesOf(p);
        const at = (v: number) => {
          const vals = base.slice();
          vals[i] = v;
          tidy(() => assign(p, tensor(vals, { shape: p.shape })));
          return loss();
        };
        const fd = (at(base[i] + eps) - at(base[i] - eps)) / (2 * eps);
        at(base[i]);
        expectClose(analytic[name][i], fd, { atol: 5e-3, rtol: 2e-2 });
      }
    }
  });
});

describe('rntn: predict, evaluate, save', () => {
  it('predicts raw text through a right-branching parse, unknown words as <unk>', () => {
    expect(tokenize("It doesn't work (at all), the film's ending...")).toEqual([
      'It',
      'does',
      "n't",
      'work',
      '-LRB-',
      'at',
      'all',
      '-RRB-',
      ',',
      'the',
      'film',
      "'s",
      'ending',
      '...',
    ]);
    const m = model();
    expect(m.wordId('good')).toBe(2);
    expect(m.wordId('zzyzx')).toBe(0);
    const p = m.predict('a very good zzyzx');
    expect(p.nodes.length).toBe(7); // 4 leaves, 3 internal nodes
    expect(p.nodes.at(-1)?.words).toEqual(['a', 'very', 'good', 'zzyzx']);
    expect(p.label).toBe(p.nodes.at(-1)?.label);
    expect(p.tree.label).toBe(p.label);
    expect(p.tree.right?.right?.left?.word).toBe('good'); // (a (very (good zzyzx)))
    expectClose(
      p.probabilities.reduce((s, v) => s + v, 0),
      1,
      { rtol: 1e-5 },
    );
    // An SST tree: its own parse; the unknown word shares <unk>'s vector with every other unknown.
    const same = (w: string) => m.predict(node(2, leaf(2, 'not'), leaf(2, w))).probabilities;
    expect(same('qwerty')).toEqual(same('<unk>'));
  });

  it('scores the four accuracies of the paper', () => {
    const m = model();
    // A classifier that always says 4 (very positive).
    tidy(() => {
      assign(m.classifier.weight, mul(m.classifier.weight, 0));
      assign(m.classifier.bias as never, tensor([0, 0, 0, 0, 5]));
    });
    const a = sentimentAccuracy(m, TREES, { batchSize: 3 });
    expect(a.counts).toEqual({ fineAll: 20, fineRoot: 4, binaryAll: 10, binaryRoot: 4 });
    expect(a.fineAll).toBe(0); // no node is labelled 4
    expect(a.fineRoot).toBe(0);
    expect(a.binaryAll).toBe(5 / 10); // positive nodes: 3, 3, 3, 3, 3 of 10 non-neutral
    expect(a.binaryRoot).toBe(1 / 4);
  });

  it('saves and loads bit-exact, vocabulary and leafTanh included', async () => {
    for (const [composition, leafTanh] of [
      ['tensor', false],
      ['plain', false],
      ['tensor', true],
    ] as const) {
      const m = model(composition, leafTanh);
      const { x } = m.encode(TREES);
      await expectSaveLoadRoundTrip(m, x, (mm) => mm.forward(x));
    }
  });

  it('trains: a few AdaGrad steps lower the loss, leaking nothing', () => {
    const m = model();
    const opt = new Adagrad(m.parameters(), { lr: 0.1, weightDecay: 1e-4 });
    const logs = runTrainSteps(m, () => m.encode(TREES), { default: opt }, 30);
    expect(logs[29].loss).toBeLessThan(0.5 * logs[0].loss);
    expectClose(logs[0].nodeLoss * 20, logs[0].loss * 4, { rtol: 1e-5 });
  });

  it('regularises only the words a minibatch uses (wordDecay)', () => {
    // One SGD step (lr 1) with and without wordDecay from the same weights: the updates differ by
    // wordDecay·L[w] on the words of the batch, and not at all on the unused unknown word (row 0).
    const updates = (wordDecay: number) => {
      manualSeed(3);
      const m = rntn({ vocabulary: VOCAB, dim: 4, wordDecay });
      const before = valuesOf(m.embedding.weight);
      tidy(() => m.trainStep(m.encode(TREES), stepContext({ default: new SGD(m.parameters(), { lr: 1 }) })));
      return { before, delta: valuesOf(m.embedding.weight).map((v, i) => before[i] - v) };
    };
    const plain = updates(0);
    const decayed = updates(0.5);
    const extra = decayed.delta.map((v, i) => v - plain.delta[i]);
    expectClose(extra.slice(0, 4), [0, 0, 0, 0], { atol: 1e-7 });
    expectClose(
      extra.slice(4),
      plain.before.slice(4).map((v) => 0.5 * v),
      { rtol: 1e-4, atol: 1e-6 },
    );
  });

  it('rejects bad input with clear errors', () => {
    const m = model();
    expectError(() => rntn({ vocabulary: [] }), ValueError, 'rntn', 'expected vocabulary');
    expectError(
      () => rntn({ vocabulary: VOCAB, composition: 'lstm' as never }),
      ValueError,
      'rntn',
      'composition',
    );
    expectError(() => rntn({ vocabulary: VOCAB, leafTanh: 1 as never }), ValueError, 'rntn', 'leafTanh');
    expectError(() => m.encode([{ label: 2, left: leaf(2, 'a') }]), ValueError, 'RNTN.encode', 'not binary');
    expectError(
      () => m.encode([leaf(7, 'a')]),
      ValueError,
      'RNTN.encode',
      'labelled 7: expected an integer in [0, 5)',
    );
    expectError(
      () =>
        m.forward(
          tensor(
            [
              [1, -1, -1],
              [-1, 0, 2],
            ],
            { dtype: 'int32' },
          ),
        ),
      ValueError,
      'RNTN',
      'row 1',
    );
    expectError(() => m.forward(tensor([[1, 2]], { dtype: 'int32' })), ShapeError, 'RNTN', 'x [N, 3]');
    expectError(() => m.predict('  '), ValueError, 'RNTN.predict', 'expected text with at least one word');
  });
});
