import { Embedding, Linear, LSTM, registeredLayers } from '@axon/layers';
import { CharLM, charLM, streamBatches } from '@axon/models';
import { Adam } from '@axon/optim';
import { concat, manualSeed, narrow, tensor, tidy, ValueError } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSaveLoadRoundTrip, logValues, runTrainSteps, stepContext } from './helpers';

beforeEach(() => manualSeed(7));

const ids = (values: number[], B = 1) =>
  tensor(Int32Array.from(values), { shape: [B, values.length / B], dtype: 'int32' });

describe('charLM', () => {
  it('is a registered Module: embedding → rnn → drop → head', () => {
    expect(registeredLayers()).toContain('CharLM');
    const m = charLM({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4, numLayers: 2 });
    expect(m.embedding).toBeInstanceOf(Embedding);
    expect(m.rnn).toBeInstanceOf(LSTM);
    expect(m.head).toBeInstanceOf(Linear);
    expect(m.forward(ids([0, 1, 2, 3, 4, 0], 2)).shape).toEqual([2, 3, 5]);
    expect(m.config()).toEqual({
      vocabSize: 5,
      embeddingDim: 3,
      hiddenSize: 4,
      numLayers: 2,
      cell: 'lstm',
      dropout: 0,
    });
  });

  it('rejects bad options and inputs, naming the function and the values', () => {
    expect(() => charLM({ vocabSize: 0, embeddingDim: 3, hiddenSize: 4 })).toThrow(
      /charLM: expected vocabSize/,
    );
    expect(() => charLM({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4, cell: 'rnn' as 'lstm' })).toThrow(
      /charLM: expected cell to be one of/,
    );
    const m = charLM({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4 });
    expect(() => m.forward(tensor([[0, 1]]))).toThrow(
      /CharLM: expected x to be int32 token ids, got float32/,
    );
    expect(() => m.generate([7], { length: 2 })).toThrow(
      /CharLM.generate: expected prompt\[0\] to be a token id in \[0, 5\), got number 7/,
    );
    expect(() => m.generate([1], { length: 2, topK: 6 })).toThrow(ValueError);
    expect(() => m.generate([1], { length: 2, temperature: 0 })).toThrow(/temperature/);
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it(`${cell}: running two halves with the carried state equals running the whole sequence`, () => {
      const m = charLM({ vocabSize: 6, embeddingDim: 4, hiddenSize: 5, numLayers: 2, cell });
      tidy(() => {
        const a = ids([0, 1, 2, 3, 4, 5, 1, 2], 2);
        const b = ids([3, 3, 2, 1, 0, 5], 2);
        const whole = m.forward(concat([a, b], 1));
        const first = m.forwardState(a);
        const second = m.forwardState(b, first.state);
        expectClose(first.logits, narrow(whole, 1, 0, 4), 1e-5);
        expectClose(second.logits, narrow(whole, 1, 4, 3), 1e-5);
      });
    });
  }

  it('evalStep carries its state across batches and resets it at batch 0 of an epoch', () => {
    const m = charLM({ vocabSize: 6, embeddingDim: 4, hiddenSize: 5, cell: 'gru' });
    const x1 = ids([0, 1, 2, 3, 4, 5], 2);
    const x2 = ids([5, 4, 3, 2, 1, 0], 2);
    const y2 = ids([4, 3, 2, 1, 0, 5], 2);
    const ctx = (batch: number) => stepContext({}, { step: batch, training: false });
    m.evalStep({ x: x1, y: x2 }, ctx(0));
    const carried = logValues(m.evalStep({ x: x2, y: y2 }, ctx(1))).loss;
    const fresh = logValues(m.evalStep({ x: x2, y: y2 }, ctx(0))).loss;
    const fromState = tidy(() => {
      const { state } = m.forwardState(x1);
      const { logits } = m.forwardState(x2, state);
      return logits;
    });
    const direct = tidy(() => m.forwardState(x2).logits);
    expect(carried).not.toBeCloseTo(fresh, 6);
    // The loss of x2 → y2 from x1's final state, computed by hand.
    const nll = (logits: number[][], target: number[]) =>
      logits.reduce((s, row, i) => {
        const lse = Math.log(row.reduce((t, v) => t + Math.exp(v), 0));
        return s + lse - row[target[i]];
      }, 0) / target.length;
    const rows = (t: { dataSync(): ArrayLike<number> }) => {
      const v = Array.from(t.dataSync());
      return Array.from({ length: v.length / 6 }, (_, i) => v.slice(i * 6, i * 6 + 6));
    };
    const target = [4, 3, 2, 1, 0, 5];
    expect(carried).toBeCloseTo(nll(rows(fromState), target), 5);
    expect(fresh).toBeCloseTo(nll(rows(direct), target), 5);
    m.dispose();
  });

  it('streamBatches: row b of batch i + 1 continues row b of batch i', () => {
    const seq = Array.from({ length: 50 }, (_, i) => i);
    const batches = [...streamBatches(seq, { batchSize: 2, seqLen: 4 })];
    expect(batches.length).toBe(streamBatches(seq, { batchSize: 2, seqLen: 4 }).length);
    const rows = batches.map((b) => Array.from(b.x.dataSync()));
    expect(rows[0]).toEqual([0, 1, 2, 3, 23, 24, 25, 26]);
    expect(rows[1]).toEqual([4, 5, 6, 7, 27, 28, 29, 30]);
    expect(Array.from(batches[0].y.dataSync())).toEqual([1, 2, 3, 4, 24, 25, 26, 27]);
    expect(() => streamBatches([1, 2, 3], { batchSize: 2, seqLen: 4 })).toThrow(
      /streamBatches: 3 tokens are too few/,
    );
  });

  it('generates reproducibly with a seed; topK 1 is the greedy path whatever the seed', async () => {
    const { Generator } = await import('@axon/tensor');
    const m = charLM({ vocabSize: 7, embeddingDim: 4, hiddenSize: 8 });
    const a = m.generate([1, 2], { length: 20, temperature: 2, generator: new Generator(11) });
    const b = m.generate([1, 2], { length: 20, temperature: 2, generator: new Generator(11) });
    const c = m.generate([1, 2], { length: 20, temperature: 2, generator: new Generator(12) });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((id) => Number.isInteger(id) && id >= 0 && id < 7)).toBe(true);
    const g1 = m.generate([1, 2], { length: 10, topK: 1, generator: new Generator(1) });
    const g2 = m.generate([1, 2], { length: 10, topK: 1, generator: new Generator(2) });
    expect(g1).toEqual(g2);
    // The greedy path by hand: argmax of the last logits, fed back.
    const context = [1, 2];
    for (let i = 0; i < 10; i++) {
      const logits = Array.from(
        tidy(() => narrow(m.forward(ids(context)), 1, context.length - 1, 1)).dataSync(),
      );
      context.push(logits.indexOf(Math.max(...logits)));
    }
    expect(g1).toEqual(context.slice(2));
    // topK 2: every drawn token is one of the two most likely at its step.
    const k2 = m.generate([3], { length: 15, topK: 2, temperature: 5, generator: new Generator(3) });
    const ctx2 = [3];
    for (const id of k2) {
      const logits = Array.from(tidy(() => narrow(m.forward(ids(ctx2)), 1, ctx2.length - 1, 1)).dataSync());
      const top2 = [...logits.keys()].sort((i, j) => logits[j] - logits[i]).slice(0, 2);
      expect(top2).toContain(id);
      ctx2.push(id);
    }
  });

  it('save/load round trip is bit-exact', async () => {
    const m = charLM({
      vocabSize: 6,
      embeddingDim: 3,
      hiddenSize: 4,
      numLayers: 2,
      cell: 'gru',
      dropout: 0.1,
    });
    await expectSaveLoadRoundTrip(m, ids([0, 1, 2, 3, 4, 5], 2));
  });

  it('overfits a repeating toy sequence by truncated BPTT', () => {
    const text = Array.from({ length: 400 }, (_, i) => [0, 1, 2, 1, 3][i % 5]);
    const m = new CharLM({ vocabSize: 4, embeddingDim: 8, hiddenSize: 16 });
    const batches = [...streamBatches(text, { batchSize: 4, seqLen: 8 })];
    const opt = new Adam(m.parameters(), { lr: 0.03 });
    const logs = runTrainSteps(m, (i) => batches[i % batches.length], { default: opt }, 80);
    expect(logs[0].loss).toBeGreaterThan(1);
    expect(logs[logs.length - 1].loss).toBeLessThan(0.05);
    m.dispose();
  });
});
