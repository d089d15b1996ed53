import { GRUCell, LSTM, LSTMCell, registeredLayers } from '@axon/layers';
import { Seq2Seq, seq2seq } from '@axon/models';
import { Adam } from '@axon/optim';
import { manualSeed, ShapeError, sum, tensor, tidy } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSaveLoadRoundTrip, runTrainSteps } from './helpers';

beforeEach(() => manualSeed(11));

const ids = (rows: number[][]) =>
  tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length], dtype: 'int32' });
const base = { srcVocabSize: 8, tgtVocabSize: 9, embeddingDim: 6, hiddenSize: 8 };
// Source rows right-padded with 0; targets BOS (1) … EOS (2), padded with 0.
const src = ids([
  [3, 4, 5, 6],
  [7, 3, 0, 0],
]);
const tgt = ids([
  [1, 6, 5, 4, 3, 2],
  [1, 3, 7, 2, 0, 0],
]);

describe('seq2seq', () => {
  it('builds GRU/LSTM, (bi)directional encoders with additive or dot attention', () => {
    expect(registeredLayers()).toEqual(expect.arrayContaining(['Seq2Seq', 'SeqAttention']));
    const m = seq2seq({ ...base, cell: 'lstm', bidirectional: true, attention: 'dot' });
    expect(m.encoder).toBeInstanceOf(LSTM);
    expect(m.encoder.bidirectional).toBe(true);
    expect(m.decoder).toBeInstanceOf(LSTMCell);
    expect(seq2seq(base).decoder).toBeInstanceOf(GRUCell);
    expect(
      m.forward(
        src,
        ids([
          [1, 2, 3],
          [1, 2, 3],
        ]),
      ).shape,
    ).toEqual([2, 3, 9]);
  });

  it('rejects bad options and inputs', () => {
    expect(() => seq2seq({ ...base, attention: 'cosine' as 'dot' })).toThrow(
      /seq2seq: expected attention to be one of/,
    );
    expect(() => seq2seq({ ...base, bosId: 0 })).toThrow(
      /seq2seq: expected padId, bosId and eosId to differ, got 0, 0 and 2/,
    );
    expect(() => seq2seq({ ...base, eosId: 9 })).toThrow(
      /seq2seq: expected eosId to be a token id in \[0, 9\), got 9/,
    );
    const m = seq2seq(base);
    expect(() => m.beamSearch(src)).toThrow(ShapeError);
    expect(() => m.forward(src, tensor([[1, 2]]))).toThrow(/Seq2Seq: expected tgtIn to be int32/);
  });

  for (const attention of ['additive', 'dot'] as const) {
    it(`${attention}: attention weights sum to 1 over the real source tokens, 0 on padding`, () => {
      const m = seq2seq({ ...base, attention, bidirectional: true });
      tidy(() => {
        const { attention: a } = m.teacherForced(
          src,
          ids([
            [1, 6, 5],
            [1, 3, 7],
          ]),
        );
        expect(a.shape).toEqual([2, 3, 4]);
        expectClose(
          sum(a, -1),
          [
            [1, 1, 1],
            [1, 1, 1],
          ],
          1e-5,
        );
        const v = Array.from(a.dataSync());
        for (let t = 0; t < 3; t++) expect([v[12 + t * 4 + 2], v[12 + t * 4 + 3]]).toEqual([0, 0]);
      });
      for (const r of m.greedy(src, { maxLength: 5 })) {
        for (const rowWeights of r.attention) expect(rowWeights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 5);
      }
    });
  }

  it('beam search with beam 1 equals greedy decoding; wider beams score at least as well', () => {
    for (const cell of ['gru', 'lstm'] as const) {
      const m = seq2seq({ ...base, cell, bidirectional: cell === 'lstm' });
      for (const row of [
        [3, 4, 5, 6],
        [7, 3, 0, 0],
      ]) {
        const one = ids([row]);
        const greedy = m.greedy(one, { maxLength: 6 })[0];
        const beam1 = m.beamSearch(one, { beamSize: 1, maxLength: 6 });
        expect(beam1.tokens).toEqual(greedy.tokens);
        expect(beam1.attention).toEqual(greedy.attention);
        const beam3 = m.beamSearch(one, { beamSize: 3, maxLength: 6 });
        expect(beam3.logProb).toBeGreaterThanOrEqual(beam1.logProb - 1e-6);
      }
      // Batched greedy gives each row what it gives alone.
      const both = m.greedy(src, { maxLength: 6 });
      expect(both[1].tokens).toEqual(m.greedy(ids([[7, 3, 0, 0]]), { maxLength: 6 })[0].tokens);
    }
  });

  it('save/load round trip is bit-exact', async () => {
    const m = seq2seq({ ...base, cell: 'lstm', bidirectional: true, attention: 'dot', dropout: 0.2 });
    await expectSaveLoadRoundTrip(m, src, (loaded) =>
      loaded.forward(
        src,
        ids([
          [1, 6, 5],
          [1, 3, 7],
        ]),
      ),
    );
  });

  it('learns to reverse short sequences (teacher forcing), then decodes them greedily', () => {
    const m = new Seq2Seq({ ...base, bidirectional: true });
    const opt = new Adam(m.parameters(), { lr: 0.04 });
    const logs = runTrainSteps(m, () => ({ x: src, y: tgt }), { default: opt }, 30);
    expect(logs[0].loss).toBeGreaterThan(1.5);
    expect(logs[logs.length - 1].loss).toBeLessThan(0.05);
    const out = m.greedy(src, { maxLength: 8 });
    expect(out.map((r) => r.tokens)).toEqual([
      [6, 5, 4, 3],
      [3, 7],
    ]);
    expect(m.beamSearch(ids([[3, 4, 5, 6]]), { beamSize: 3 }).tokens).toEqual([6, 5, 4, 3]);
  });
});
