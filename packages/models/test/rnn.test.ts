import { GRU, Linear, LSTM, RNN, registeredLayers, specOf } from '@axon/layers';
import { RNNRegressor, rnnRegressor, rnnRegressorParameterCount } from '@axon/models';
import { manualSeed, mse, narrow, randn, ShapeError, sin, tensor, ValueError } from '@axon/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { countByShapes, expectSaveLoadRoundTrip, expectUniformWithin, run, trainSteps } from './helpers';

beforeEach(() => manualSeed(3));

describe('rnnRegressor', () => {
  it('is a registered Module: a batch-first recurrent layer named rnn and a Linear head', () => {
    expect(registeredLayers()).toContain('RNNRegressor');
    const cases = [
      ['rnn', RNN],
      ['lstm', LSTM],
      ['gru', GRU],
    ] as const;
    for (const [cell, cls] of cases) {
      const m = rnnRegressor({ cell, inputSize: 3, hiddenSize: 5, outputSize: 2, numLayers: 2 });
      expect(m).toBeInstanceOf(RNNRegressor);
      expect(m.rnn).toBeInstanceOf(cls);
      expect(m.rnn.batchFirst).toBe(true);
      expect(m.rnn.numLayers).toBe(2);
      expect(m.head).toBeInstanceOf(Linear);
      expect(specOf(m)).toEqual({
        type: 'RNNRegressor',
        config: { cell, inputSize: 3, hiddenSize: 5, outputSize: 2, numLayers: 2 },
      });
    }
    expect(
      Object.keys(rnnRegressor({ cell: 'lstm', inputSize: 1, hiddenSize: 4, outputSize: 1 }).stateDict()),
    ).toEqual([
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'head.weight',
      'head.bias',
    ]);
  });

  it('has the parameter counts worked out by hand', () => {
    // SimpleRNN-style sine model: 32·1 + 32·32 + 32 + 32 = 1,120; head 32 + 1 = 33.
    const sine = rnnRegressor({ cell: 'rnn', inputSize: 1, hiddenSize: 32, outputSize: 1 });
    expect(sine.numParameters()).toBe(1_153);
    // LSTM I=3 H=5 L=2 O=2: l0 4·5·(3+5+2) = 200; l1 4·5·(5+5+2) = 240; head 5·2+2 = 12
    expect(
      rnnRegressor({
        cell: 'lstm',
        inputSize: 3,
        hiddenSize: 5,
        outputSize: 2,
        numLayers: 2,
      }).numParameters(),
    ).toBe(452);
    // GRU I=2 H=4 O=1: 3·4·(2+4+2) = 96; head 5
    expect(rnnRegressor({ cell: 'gru', inputSize: 2, hiddenSize: 4, outputSize: 1 }).numParameters()).toBe(
      101,
    );
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      for (const numLayers of [1, 3]) {
        const o = { cell, inputSize: 3, hiddenSize: 6, outputSize: 2, numLayers };
        const m = rnnRegressor(o);
        expect(countByShapes(m)).toBe(rnnRegressorParameterCount(o));
        expect(m.numParameters()).toBe(rnnRegressorParameterCount(o));
      }
    }
  });

  it('maps x [B, T, I] → [B, outputSize], the head applied to the last time step', () => {
    const m = rnnRegressor({ cell: 'gru', inputSize: 2, hiddenSize: 6, outputSize: 3 });
    const x = randn([4, 7, 2]);
    const y = m.forward(x);
    expect(y.shape).toEqual([4, 3]);
    const { output } = m.rnn.forward(x);
    const manual = m.head.forward(narrow(output, 1, 6, 1).reshape([4, 6]));
    expect(Array.from(y.dataSync())).toEqual(Array.from(manual.dataSync()));
    // the last step is hN of the top layer
    const l = rnnRegressor({ cell: 'lstm', inputSize: 2, hiddenSize: 6, outputSize: 1, numLayers: 2 });
    const r = l.rnn.forward(x);
    const top = narrow(r.hN, 0, 1, 1).reshape([4, 6]);
    expect(Array.from(l.forward(x).dataSync())).toEqual(Array.from(l.head.forward(top).dataSync()));
    // T = 1 works
    expect(m.forward(randn([2, 1, 2])).shape).toEqual([2, 3]);
  });

  it("uses torch's default init: U(±1/√hiddenSize) everywhere", () => {
    const m = rnnRegressor({ cell: 'lstm', inputSize: 3, hiddenSize: 16, outputSize: 20 });
    for (const [name, p] of m.namedParameters()) {
      expect(name).toBeTruthy();
      expectUniformWithin(p, 1 / 4);
    }
  });

  it('save → load gives identical outputs, for each cell', async () => {
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      const m = rnnRegressor({ cell, inputSize: 2, hiddenSize: 5, outputSize: 2, numLayers: 2 });
      await expectSaveLoadRoundTrip(m, randn([3, 4, 2]));
    }
  });

  it('trains: the loss falls predicting the next value of a sine wave', () => {
    // windows of 10 samples of sin(0.3·i), target the next sample (as sineWindows gives them)
    const W = 10;
    const N = 40;
    const t = Array.from({ length: N + W }, (_, i) => i * 0.3);
    const s = Array.from(sin(tensor(t)).dataSync());
    const xs = Array.from({ length: N }, (_, i) => s.slice(i, i + W).map((v) => [v]));
    const ys = Array.from({ length: N }, (_, i) => [s[i + W]]);
    const x = tensor(xs);
    const y = tensor(ys);
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      manualSeed(4);
      const m = rnnRegressor({ cell, inputSize: 1, hiddenSize: 8, outputSize: 1 });
      const losses = trainSteps(m, () => mse(m.forward(x), y), 40, 0.2);
      expect(losses[losses.length - 1], cell).toBeLessThan(losses[0] * 0.5);
    }
  }, 180_000); // seconds idle; room for a loaded machine

  it('rejects bad options and inputs with clear errors', () => {
    const ok = { cell: 'rnn', inputSize: 2, hiddenSize: 3, outputSize: 1 } as const;
    expect(() => rnnRegressor({ ...ok, cell: 'transformer' as never })).toThrow(ValueError);
    expect(() => rnnRegressor({ ...ok, cell: 'transformer' as never })).toThrow(
      "rnnRegressor: expected cell to be one of 'rnn', 'lstm', 'gru', got string \"transformer\"",
    );
    expect(() => rnnRegressor({ ...ok, hiddenSize: 0 })).toThrow(
      'rnnRegressor: expected hiddenSize to be a positive integer, got number 0',
    );
    expect(() => rnnRegressor({ ...ok, numLayers: 1.5 })).toThrow(
      'rnnRegressor: expected numLayers to be a positive integer, got number 1.5',
    );
    const m = rnnRegressor(ok);
    expect(() => m.forward(randn([4, 2]))).toThrow(ShapeError);
    expect(() => m.forward(randn([4, 2]))).toThrow(
      'RNNRegressor: expected x [B, T, 2] (batch, time, features; T >= 1), got [4, 2]',
    );
    expect(() => m.forward(randn([4, 5, 3]))).toThrow('got [4, 5, 3]');
    expect(() => m.forward([1, 2] as never)).toThrow('RNNRegressor: expected x to be a Tensor');
    expect(run(m, randn([1, 3, 2]))).toHaveLength(1);
  });
});
