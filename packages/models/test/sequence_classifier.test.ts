import { GRU, LSTM, registeredLayers } from '@axon/layers';
import { SequenceClassifier, sequenceClassifier } from '@axon/models';
import { Adam } from '@axon/optim';
import { argmax, crossEntropy, manualSeed, tensor, tidy } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSaveLoadRoundTrip } from './helpers';

beforeEach(() => manualSeed(13));

const ids = (rows: number[][]) =>
  tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length], dtype: 'int32' });
const base = { vocabSize: 10, embeddingDim: 6, hiddenSize: 5, numClasses: 3 };

describe('sequenceClassifier', () => {
  it('builds (bi)LSTM/GRU classifiers with each pooling', () => {
    expect(registeredLayers()).toContain('SequenceClassifier');
    for (const pooling of ['mean', 'max', 'last'] as const) {
      for (const bidirectional of [false, true]) {
        const m = sequenceClassifier({
          ...base,
          pooling,
          bidirectional,
          cell: bidirectional ? 'lstm' : 'gru',
        });
        expect(m.rnn).toBeInstanceOf(bidirectional ? LSTM : GRU);
        expect(m.head.inFeatures).toBe(bidirectional ? 10 : 5);
        expect(
          m.forward(
            ids([
              [1, 2, 3],
              [4, 0, 0],
            ]),
          ).shape,
        ).toEqual([2, 3]);
      }
    }
  });

  it('rejects bad options and inputs', () => {
    expect(() => sequenceClassifier({ ...base, pooling: 'sum' as 'mean' })).toThrow(
      /sequenceClassifier: expected pooling to be one of/,
    );
    expect(() => sequenceClassifier({ ...base, padId: 10 })).toThrow(/sequenceClassifier: expected padId/);
    expect(() => sequenceClassifier(base).forward(tensor([1, 2]))).toThrow(/SequenceClassifier: expected x/);
  });

  for (const pooling of ['mean', 'max', 'last'] as const) {
    it(`${pooling} pooling ignores padding: a padded row pools as the unpadded sentence alone (unidirectional)`, () => {
      const m = sequenceClassifier({ ...base, pooling, bidirectional: false });
      tidy(() => {
        const padded = m.encode(ids([[4, 5, 6, 0, 0]]));
        const alone = m.encode(ids([[4, 5, 6]]));
        expectClose(padded, alone, 1e-6);
      });
    });
  }

  it("'last' pooling of a bidirectional model reads the backward direction at the first token", () => {
    const m = sequenceClassifier({ ...base, pooling: 'last', bidirectional: true });
    tidy(() => {
      const x = ids([[4, 5, 6]]);
      const out = m.rnn.forward(m.embedding.forward(x)).output.dataSync();
      const enc = Array.from(m.encode(x).dataSync());
      const H = 5;
      expectClose(enc.slice(0, H), Array.from(out.slice(2 * 2 * H, 2 * 2 * H + H)), 1e-6);
      expectClose(enc.slice(H), Array.from(out.slice(H, 2 * H)), 1e-6);
    });
  });

  it('save/load round trip is bit-exact', async () => {
    const m = sequenceClassifier({ ...base, pooling: 'max', numLayers: 2, dropout: 0.3 });
    await expectSaveLoadRoundTrip(
      m,
      ids([
        [1, 2, 3],
        [4, 0, 0],
      ]),
    );
  });

  it('learns a toy task: the class is the first token', () => {
    const x = ids([
      [1, 5, 6, 7],
      [2, 7, 0, 0],
      [3, 6, 5, 0],
      [1, 8, 0, 0],
      [2, 9, 9, 9],
      [3, 4, 0, 0],
    ]);
    const y = tensor(Int32Array.from([0, 1, 2, 0, 1, 2]), { dtype: 'int32' });
    const m = new SequenceClassifier({ ...base, pooling: 'last' });
    const opt = new Adam(m.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) {
      losses.push(
        tidy(() => {
          const loss = crossEntropy(m.forward(x), y);
          loss.backward();
          opt.step();
          return loss.item();
        }),
      );
      m.zeroGrad();
    }
    expect(losses[losses.length - 1]).toBeLessThan(0.05);
    m.eval();
    expect(Array.from(tidy(() => argmax(m.forward(x), 1)).dataSync())).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
