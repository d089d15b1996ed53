import { checkGradients, grad, noGrad } from '@axon/autograd';
import {
  type AnyModule,
  fromSpec,
  GRU,
  GRUCell,
  gru,
  gruCell,
  LSTM,
  LSTMCell,
  lstm,
  lstmCell,
  type RecurrentWeights,
  RNN,
  RNNCell,
  rnn,
  rnnCell,
  specOf,
} from '@axon/layers';
import {
  concat,
  DTypeError,
  dispose,
  Generator,
  memory,
  mul,
  narrow,
  randn,
  reshape,
  ShapeError,
  square,
  stack,
  sum,
  type Tensor,
  tensor,
  tidy,
  transpose,
  ValueError,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';

// ---- helpers ----

const f64 = (data: number[], shape: number[]) => tensor(data, { shape, dtype: 'float64' });

let seed = 1;
const rnd = (shape: number[], scale = 0.5) =>
  randn(shape, { dtype: 'float64', generator: new Generator(seed++) }).mul(scale);

function close(a: Tensor, b: Tensor | number[], tol = 1e-10) {
  const av = Array.from(a.dataSync());
  const bv = Array.isArray(b) ? b : Array.from(b.dataSync());
  if (!Array.isArray(b)) expect(a.shape).toEqual(b.shape);
  expect(av.length).toBe(bv.length);
  for (let i = 0; i < av.length; i++) {
    expect(Math.abs(av[i] - bv[i]), `element ${i}: ${av[i]} vs ${bv[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(bv[i])),
    );
  }
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Random float64 weights for G gates, torch layout. */
function randomWeights(G: number, I: number, H: number, bias = true): RecurrentWeights {
  return {
    weightIh: rnd([G * H, I]),
    weightHh: rnd([G * H, H]),
    biasIh: bias ? rnd([G * H]) : null,
    biasHh: bias ? rnd([G * H]) : null,
  };
}

/** Puts `weights` (layer by layer, forward then reverse) into a sequence module by torch names. */
function setWeights(m: AnyModule, weights: RecurrentWeights[], bidirectional = false) {
  const state: Record<string, Tensor> = {};
  weights.forEach((w, k) => {
    const D = bidirectional ? 2 : 1;
    const sfx = `_l${Math.floor(k / D)}${k % D === 1 ? '_reverse' : ''}`;
    state[`weight_ih${sfx}`] = w.weightIh;
    state[`weight_hh${sfx}`] = w.weightHh;
    if (w.biasIh) state[`bias_ih${sfx}`] = w.biasIh;
    if (w.biasHh) state[`bias_hh${sfx}`] = w.biasHh;
  });
  m.loadStateDict(state);
}

/** Reverses axis 0 of x. */
function flipTime(x: Tensor): Tensor {
  const T = x.shape[0];
  return concat(
    Array.from({ length: T }, (_, t) => narrow(x, 0, T - 1 - t, 1)),
    0,
  );
}

// ---- cells: hand-computed values ----

describe('cells: values', () => {
  it('RNNCell tanh and relu: act(W_ih x + b_ih + W_hh h + b_hh), both biases added', () => {
    const w: RecurrentWeights = {
      weightIh: f64([0.5, -0.25, 1, 0.75], [2, 2]),
      weightHh: f64([0.2, -0.4, 0.3, 0.1], [2, 2]),
      biasIh: f64([0.1, -0.2], [2]),
      biasHh: f64([0.05, 0.3], [2]),
    };
    const x = f64([1, 2], [1, 2]);
    const h = f64([-0.5, 0.25], [1, 2]);
    // row 0: 0.5·1 − 0.25·2 + 0.1 + 0.2·(−0.5) − 0.4·0.25 + 0.05 = −0.05
    // row 1: 1·1 + 0.75·2 − 0.2 + 0.3·(−0.5) + 0.1·0.25 + 0.3 = 2.475
    close(rnnCell(x, h, w), [Math.tanh(-0.05), Math.tanh(2.475)]);
    close(rnnCell(x, h, w, 'relu'), [0, 2.475]);
    // unbatched, and a zero state by default
    close(rnnCell(f64([1, 2], [2]), null, w), [Math.tanh(0.15), Math.tanh(2.6)]);
    expect(rnnCell(f64([1, 2], [2]), null, w).shape).toEqual([2]);
  });

  it('LSTMCell: gates i, f, g, o in that order', () => {
    // I = H = 1, so each gate row is one number.
    const [wi, wf, wg, wo] = [0.3, -0.6, 0.9, 0.2];
    const [ui, uf, ug, uo] = [-0.1, 0.4, 0.5, -0.7];
    const [bi, bf, bg, bo] = [0.05, 0.1, -0.15, 0.2];
    const [ci, cf, cg, co] = [0.01, -0.02, 0.03, 0.04];
    const w: RecurrentWeights = {
      weightIh: f64([wi, wf, wg, wo], [4, 1]),
      weightHh: f64([ui, uf, ug, uo], [4, 1]),
      biasIh: f64([bi, bf, bg, bo], [4]),
      biasHh: f64([ci, cf, cg, co], [4]),
    };
    const x = 0.8;
    const h = -0.4;
    const c = 0.6;
    const i = sig(wi * x + ui * h + bi + ci);
    const f = sig(wf * x + uf * h + bf + cf);
    const g = Math.tanh(wg * x + ug * h + bg + cg);
    const o = sig(wo * x + uo * h + bo + co);
    const c1 = f * c + i * g;
    const h1 = o * Math.tanh(c1);
    const out = lstmCell(f64([x], [1, 1]), f64([h], [1, 1]), f64([c], [1, 1]), w);
    close(out.h, [h1]);
    close(out.c, [c1]);
  });

  it('GRUCell: gates r, z, n with b_hn inside r ⊙ (·)', () => {
    const [wr, wz, wn] = [0.3, -0.6, 0.9];
    const [ur, uz, un] = [-0.1, 0.4, 0.5];
    const [br, bz, bn] = [0.05, 0.1, -0.15];
    const [cr, cz, cn] = [0.2, -0.3, 0.7];
    const w: RecurrentWeights = {
      weightIh: f64([wr, wz, wn], [3, 1]),
      weightHh: f64([ur, uz, un], [3, 1]),
      biasIh: f64([br, bz, bn], [3]),
      biasHh: f64([cr, cz, cn], [3]),
    };
    const x = 0.8;
    const h = -0.4;
    const r = sig(wr * x + br + ur * h + cr);
    const z = sig(wz * x + bz + uz * h + cz);
    const n = Math.tanh(wn * x + bn + r * (un * h + cn));
    close(gruCell(f64([x], [1, 1]), f64([h], [1, 1]), w), [(1 - z) * n + z * h]);
  });

  it('cell modules use their parameters and default to a zero state', () => {
    const cell = new GRUCell(3, 2, { dtype: 'float64' });
    const x = rnd([4, 3]);
    close(cell.forward(x), gruCell(x, zeros([4, 2], 'float64'), cell.weights()));
    const l = new LSTMCell(3, 2, { dtype: 'float64', bias: false });
    const out = l.forward(x);
    const ref = lstmCell(x, null, null, { weightIh: l.weightIh, weightHh: l.weightHh });
    close(out.h, ref.h);
    close(out.c, ref.c);
    const r = new RNNCell(3, 2, { nonlinearity: 'relu', dtype: 'float64' });
    const h = rnd([4, 2]);
    close(r.forward(x, h), rnnCell(x, h, r.weights(), 'relu'));
  });
});

// ---- sequence layers against the cells ----

describe('sequence layers: values', () => {
  const T = 4;
  const B = 3;
  const I = 3;
  const H = 2;

  it('RNN, LSTM and GRU equal their cell applied step by step', () => {
    const x = rnd([T, B, I]);
    const h0 = rnd([1, B, H]);
    const c0 = rnd([1, B, H]);
    const h0s = reshape(h0, [B, H]);
    const c0s = reshape(c0, [B, H]);
    const steps = (f: (xt: Tensor, t: number) => Tensor) =>
      stack(
        Array.from({ length: T }, (_, t) => f(reshape(narrow(x, 0, t, 1), [B, I]), t)),
        0,
      );

    for (const act of ['tanh', 'relu'] as const) {
      const w = randomWeights(1, I, H);
      let h = h0s;
      const expected = steps((xt) => {
        h = rnnCell(xt, h, w, act);
        return h;
      });
      const r = rnn(x, h0, [w], { nonlinearity: act });
      close(r.output, expected);
      close(r.hN, reshape(h, [1, B, H]));
    }

    {
      const w = randomWeights(4, I, H);
      let h = h0s;
      let c = c0s;
      const expected = steps((xt) => {
        ({ h, c } = lstmCell(xt, h, c, w));
        return h;
      });
      const r = lstm(x, h0, c0, [w]);
      close(r.output, expected);
      close(r.hN, reshape(h, [1, B, H]));
      close(r.cN, reshape(c, [1, B, H]));
      // the module gives the same
      const m = new LSTM(I, H, { dtype: 'float64' });
      setWeights(m, [w]);
      const mr = m.forward(x, h0, c0);
      close(mr.output, expected);
      close(mr.cN, r.cN);
    }

    {
      const w = randomWeights(3, I, H, false);
      let h = h0s;
      const expected = steps((xt) => {
        h = gruCell(xt, h, w);
        return h;
      });
      const r = gru(x, h0, [w]);
      close(r.output, expected);
      close(r.hN, reshape(h, [1, B, H]));
    }
  });

  it('zero initial states when none are given', () => {
    const x = rnd([T, B, I]);
    const w = randomWeights(4, I, H);
    const z = zeros([1, B, H], 'float64');
    const a = lstm(x, null, null, [w]);
    const b = lstm(x, z, z, [w]);
    close(a.output, b.output);
    close(a.cN, b.cN);
    // h0 given, c0 not
    const h0 = rnd([1, B, H]);
    close(lstm(x, h0, undefined, [w]).output, lstm(x, h0, z, [w]).output);
    const g = randomWeights(3, I, H);
    close(gru(x, undefined, [g]).output, gru(x, z, [g]).output);
  });

  it('bidirectional: output = concat(forward, reverse); hN[1] is the reverse state at t = 0', () => {
    const x = rnd([T, B, I]);
    const wf = randomWeights(4, I, H);
    const wr = randomWeights(4, I, H);
    const h0 = rnd([2, B, H]);
    const c0 = rnd([2, B, H]);
    const bi = lstm(x, h0, c0, [wf, wr], { bidirectional: true });
    expect(bi.output.shape).toEqual([T, B, 2 * H]);
    const fwd = lstm(x, narrow(h0, 0, 0, 1), narrow(c0, 0, 0, 1), [wf]);
    const rev = lstm(flipTime(x), narrow(h0, 0, 1, 1), narrow(c0, 0, 1, 1), [wr]);
    const revOut = flipTime(rev.output);
    close(bi.output, concat([fwd.output, revOut], 2));
    close(bi.hN, concat([fwd.hN, rev.hN], 0));
    close(bi.cN, concat([fwd.cN, rev.cN], 0));
    close(narrow(bi.hN, 0, 1, 1), narrow(narrow(bi.output, 0, 0, 1), 2, H, H));
  });

  it('batchFirst: the same result with batch and time swapped (states stay [L·D, B, H])', () => {
    const x = rnd([T, B, I]);
    const ws = [
      randomWeights(3, I, H),
      randomWeights(3, I, H),
      randomWeights(3, 2 * H, H),
      randomWeights(3, 2 * H, H),
    ];
    const h0 = rnd([4, B, H]);
    const a = gru(x, h0, ws, { bidirectional: true });
    const b = gru(transpose(x, 0, 1), h0, ws, { bidirectional: true, batchFirst: true });
    expect(b.output.shape).toEqual([B, T, 2 * H]);
    close(b.output, transpose(a.output, 0, 1));
    close(b.hN, a.hN);
  });

  it('numLayers 2 with given initial states = two stacked layers', () => {
    const x = rnd([T, B, I]);
    const w0 = randomWeights(4, I, H);
    const w1 = randomWeights(4, H, H);
    const h0 = rnd([2, B, H]);
    const c0 = rnd([2, B, H]);
    const m = new LSTM(I, H, { numLayers: 2, dtype: 'float64' });
    setWeights(m, [w0, w1]);
    const two = m.forward(x, h0, c0);
    const l0 = lstm(x, narrow(h0, 0, 0, 1), narrow(c0, 0, 0, 1), [w0]);
    const l1 = lstm(l0.output, narrow(h0, 0, 1, 1), narrow(c0, 0, 1, 1), [w1]);
    close(two.output, l1.output);
    close(two.hN, concat([l0.hN, l1.hN], 0));
    close(two.cN, concat([l0.cN, l1.cN], 0));

    const r = new RNN(I, H, { numLayers: 2, nonlinearity: 'relu', dtype: 'float64' });
    const rw = r.weights();
    const rh0 = rnd([2, B, H]);
    const rTwo = r.forward(x, rh0);
    const r0 = rnn(x, narrow(rh0, 0, 0, 1), [rw[0]], { nonlinearity: 'relu' });
    const r1 = rnn(r0.output, narrow(rh0, 0, 1, 1), [rw[1]], { nonlinearity: 'relu' });
    close(rTwo.output, r1.output);
    close(rTwo.hN, concat([r0.hN, r1.hN], 0));
  });

  it('unbatched input [T, I] with states [L·D, H]', () => {
    const x = rnd([T, I]);
    const m = new GRU(I, H, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: 'float64' });
    const h0 = rnd([4, H]);
    const r = m.forward(x, h0);
    expect(r.output.shape).toEqual([T, 2 * H]);
    expect(r.hN.shape).toEqual([4, H]);
    const batched = m.forward(reshape(x, [1, T, I]), reshape(h0, [4, 1, H]));
    close(r.output, reshape(batched.output, [T, 2 * H]));
    close(r.hN, reshape(batched.hN, [4, H]));
  });

  it('dropout acts between layers in training mode only', () => {
    const x = rnd([T, B, I]);
    const m = new LSTM(I, H, { numLayers: 2, dropout: 0.5, dtype: 'float64' });
    const ref = new LSTM(I, H, { numLayers: 2, dtype: 'float64' });
    ref.loadStateDict(m.stateDict());
    m.eval();
    close(m.forward(x).output, ref.forward(x).output);
    m.train();
    const a = m.forward(x).output;
    const d = Math.max(...Array.from(a.sub(ref.forward(x).output).abs().dataSync()));
    expect(d).toBeGreaterThan(1e-6);
    // dropout 1 zeroes the second layer's input
    const all = new GRU(I, H, { numLayers: 2, dropout: 1, dtype: 'float64' });
    const w = all.weights();
    close(all.forward(x).output, gru(zeros([T, B, H], 'float64'), null, [w[1]]).output);
    // one layer: nothing to drop
    const one = new RNN(I, H, { dropout: 0.5, dtype: 'float64' });
    close(one.forward(x).output, rnn(x, null, one.weights()).output);
  });
});

// ---- shapes for every option ----

describe('sequence layers: shapes', () => {
  const T = 3;
  const B = 2;
  const I = 3;
  const H = 4;
  for (const Cls of [RNN, LSTM, GRU]) {
    for (const numLayers of [1, 2]) {
      for (const bidirectional of [false, true]) {
        for (const batchFirst of [false, true]) {
          for (const bias of [true, false]) {
            const opts = { numLayers, bidirectional, batchFirst, bias };
            it(`${Cls.name} ${JSON.stringify(opts)}`, () => {
              const m = new Cls(I, H, opts);
              const D = bidirectional ? 2 : 1;
              const x = randn(batchFirst ? [B, T, I] : [T, B, I]);
              const r = m.forward(x) as { output: Tensor; hN: Tensor; cN?: Tensor };
              expect(r.output.shape).toEqual(batchFirst ? [B, T, D * H] : [T, B, D * H]);
              expect(r.output.dtype).toBe('float32');
              expect(r.hN.shape).toEqual([numLayers * D, B, H]);
              if (Cls === LSTM) expect(r.cN?.shape).toEqual([numLayers * D, B, H]);
              else expect(r.cN).toBeUndefined();
              const G = Cls === LSTM ? 4 : Cls === GRU ? 3 : 1;
              expect(m.numParameters()).toBe(
                D * (G * H * I + G * H * H + (bias ? 2 * G * H : 0)) +
                  (numLayers - 1) * D * (G * H * D * H + G * H * H + (bias ? 2 * G * H : 0)),
              );
              m.dispose();
            });
          }
        }
      }
    }
  }

  it('cells: batched and unbatched', () => {
    for (const cell of [new RNNCell(3, 4), new LSTMCell(3, 4), new GRUCell(3, 4, { bias: false })]) {
      const out = cell.forward(randn([5, 3]));
      const h = out instanceof Object && 'h' in out ? (out as { h: Tensor }).h : (out as Tensor);
      expect(h.shape).toEqual([5, 4]);
      const u = cell.forward(randn([3]));
      const hu = 'h' in u ? (u as { h: Tensor }).h : (u as Tensor);
      expect(hu.shape).toEqual([4]);
    }
  });
});

// ---- parameters, init, config ----

describe('parameters and config', () => {
  it('stateDict names, order and shapes as in torch', () => {
    const m = new LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const shapes = Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]);
    const layer = (l: number, sfx: string, inSize: number) => [
      [`weight_ih_l${l}${sfx}`, [20, inSize]],
      [`weight_hh_l${l}${sfx}`, [20, 5]],
      [`bias_ih_l${l}${sfx}`, [20]],
      [`bias_hh_l${l}${sfx}`, [20]],
    ];
    expect(shapes).toEqual([
      ...layer(0, '', 3),
      ...layer(0, '_reverse', 3),
      ...layer(1, '', 10),
      ...layer(1, '_reverse', 10),
    ]);
    expect(Object.keys(new GRU(2, 3, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(Object.entries(new GRUCell(2, 3).stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['weight_ih', [9, 2]],
      ['weight_hh', [9, 3]],
      ['bias_ih', [9]],
      ['bias_hh', [9]],
    ]);
    expect(Object.keys(new RNNCell(2, 3, { bias: false }).stateDict())).toEqual(['weight_ih', 'weight_hh']);
    expect(new LSTMCell(2, 3).weightIh.shape).toEqual([12, 2]);
  });

  it('init: U(−1/√H, 1/√H) for every parameter', () => {
    const H = 16;
    for (const m of [
      new RNN(4, H, { numLayers: 2 }),
      new LSTMCell(4, H),
      new GRU(4, H, { bidirectional: true }),
    ]) {
      for (const [name, p] of Object.entries(m.stateDict())) {
        const v = Array.from(p.dataSync());
        expect(Math.max(...v.map(Math.abs)), name).toBeLessThanOrEqual(1 / Math.sqrt(H));
        expect(Math.max(...v) - Math.min(...v), name).toBeGreaterThan(1 / Math.sqrt(H));
      }
    }
  });

  it('config round trip through fromSpec(specOf(layer))', () => {
    const layers: AnyModule[] = [
      new RNNCell(3, 4, { nonlinearity: 'relu', bias: false }),
      new LSTMCell(3, 4, { dtype: 'float64' }),
      new GRUCell(3, 4),
      new RNN(3, 4, { numLayers: 2, nonlinearity: 'relu', batchFirst: true, dropout: 0.25 }),
      new LSTM(3, 4, { bidirectional: true, bias: false, dtype: 'float64' }),
      new GRU(3, 4, { numLayers: 3, bidirectional: true, batchFirst: true }),
    ];
    for (const m of layers) {
      const spec = specOf(m);
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
      const copy = fromSpec(spec);
      expect(copy.constructor).toBe(m.constructor);
      expect(copy.config()).toEqual(m.config());
      const a = m.stateDict();
      const b = copy.stateDict();
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const k of Object.keys(a)) {
        expect(b[k].shape).toEqual(a[k].shape);
        expect(b[k].dtype).toBe(a[k].dtype);
      }
      copy.loadStateDict(a);
    }
    expect(specOf(layers[3])).toEqual({
      type: 'RNN',
      config: {
        inputSize: 3,
        hiddenSize: 4,
        numLayers: 2,
        bias: true,
        batchFirst: true,
        dropout: 0.25,
        bidirectional: false,
        dtype: 'float32',
        nonlinearity: 'relu',
      },
    });
  });

  it('gradients reach every parameter through backward()', () => {
    const m = new GRU(3, 2, { numLayers: 2, bidirectional: true });
    const r = m.forward(randn([4, 2, 3]));
    sum(r.output).add(sum(r.hN)).backward();
    for (const [name, p] of m.namedParameters()) {
      expect(p.grad, name).not.toBeNull();
      expect(p.grad?.shape, name).toEqual(p.shape);
    }
    m.zeroGrad();
  });

  it('leaves no tensors behind', () => {
    const m = new LSTM(3, 4, { numLayers: 2, bidirectional: true, dropout: 0.3 });
    const x = randn([5, 2, 3]);
    const before = memory().numTensors;
    tidy(() => {
      m.forward(x);
    });
    expect(memory().numTensors).toBe(before);
    // without autograd, only the three results stay
    const r = noGrad(() => m.forward(x));
    expect(memory().numTensors).toBe(before + 3);
    dispose(r);
    expect(memory().numTensors).toBe(before);
    // with autograd, the graph's intermediates go with the results
    dispose(m.forward(x));
    expect(memory().numTensors).toBe(before);
  });
});

// ---- errors ----

describe('errors', () => {
  it('input shape and dtype', () => {
    const m = new LSTM(4, 3);
    expect(() => m.forward(zeros([5, 2, 3]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([5, 2, 3]))).toThrow(
      'LSTM: expected input [T, B, 4] or [T, 4] (unbatched), got [5, 2, 3]',
    );
    expect(() => new GRU(4, 3, { batchFirst: true }).forward(zeros([2, 5, 3]))).toThrow(
      'GRU: expected input [B, T, 4] or [T, 4] (unbatched), got [2, 5, 3]',
    );
    expect(() => m.forward(zeros([4]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([5, 2, 4], 'int32'))).toThrow(DTypeError);
    expect(() => m.forward(zeros([0, 2, 4]))).toThrow(/empty/);
  });

  it('initial state shapes', () => {
    const m = new LSTM(4, 3, { numLayers: 2 });
    const x = zeros([5, 2, 4]);
    expect(() => m.forward(x, zeros([1, 2, 3]))).toThrow('LSTM: expected h0 [2, 2, 3], got [1, 2, 3]');
    expect(() => m.forward(x, zeros([2, 2, 3]), zeros([2, 3, 3]))).toThrow(
      'LSTM: expected c0 [2, 2, 3], got [2, 3, 3]',
    );
    expect(() => new RNN(4, 3).forward(zeros([5, 4]), zeros([1, 2, 3]))).toThrow(
      'RNN: expected h0 [1, 3], got [1, 2, 3]',
    );
    expect(() => new GRUCell(4, 3).forward(zeros([2, 4]), zeros([3, 3]))).toThrow(
      'GRUCell: expected h [2, 3], got [3, 3]',
    );
    expect(() => new RNNCell(4, 3).forward(zeros([2, 5]))).toThrow(
      'RNNCell: expected input [B, 4] or [4], got [2, 5]',
    );
  });

  it('weights of the functional cores', () => {
    const x = zeros([5, 2, 4]);
    const w0 = randomWeights(4, 4, 3);
    expect(() => lstm(x, null, null, [w0, randomWeights(4, 4, 3)], { bidirectional: false })).toThrow(
      'LSTM: expected weight_ih_l1 [12, 3], got [12, 4]',
    );
    expect(() => lstm(x, null, null, [w0, randomWeights(4, 4, 2)], { bidirectional: true })).toThrow(
      'LSTM: expected weight_hh_l0_reverse [12, 3], got [8, 2]',
    );
    expect(() => lstm(x, null, null, [w0], { bidirectional: true })).toThrow(ValueError);
    expect(() => gru(x, null, [randomWeights(4, 4, 3)])).toThrow(
      'GRU: expected weight_hh_l0 [3·H, H], got [12, 3]',
    );
    expect(() => rnn(x, null, [{ ...randomWeights(1, 4, 3), biasHh: zeros([4]) }])).toThrow(
      'RNN: expected bias_hh_l0 [3], got [4]',
    );
    expect(() => rnn(x, null, [randomWeights(1, 4, 3)], { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(
      ValueError,
    );
    expect(() => lstm(x, null, null, [], {})).toThrow(ValueError);
    expect(() => lstm(x, null, null, [w0], { dropout: 1.5 })).toThrow(ValueError);
  });

  it('constructor arguments', () => {
    expect(() => new LSTM(0, 3)).toThrow('LSTM: inputSize must be a positive integer, got 0');
    expect(() => new GRU(2, 2.5)).toThrow('GRU: hiddenSize must be a positive integer, got 2.5');
    expect(() => new RNN(2, 3, { numLayers: 0 })).toThrow(ValueError);
    expect(() => new RNN(2, 3, { nonlinearity: 'gelu' as 'tanh' })).toThrow(
      `RNN: nonlinearity must be 'tanh' or 'relu', got "gelu"`,
    );
    expect(() => new LSTM(2, 3, { dropout: -0.1 })).toThrow(ValueError);
    expect(() => new RNNCell(2, 3, { dtype: 'int32' })).toThrow(ValueError);
  });
});

// ---- gradients of the functional cores (float64) ----

describe('checkGradients of the functional cores', () => {
  const expectOk = (f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => {
    const report = checkGradients(f, inputs);
    expect(report.ok, report.message).toBe(true);
  };
  const flat = (...ts: Tensor[]) =>
    concat(
      ts.map((t) => reshape(t, [-1])),
      0,
    );
  const w4 = (ws: Tensor[]): RecurrentWeights[] => {
    const out: RecurrentWeights[] = [];
    for (let k = 0; k < ws.length; k += 4) {
      out.push({ weightIh: ws[k], weightHh: ws[k + 1], biasIh: ws[k + 2], biasHh: ws[k + 3] });
    }
    return out;
  };
  const params = (G: number, sizes: number[], H: number) =>
    sizes.flatMap((I) => [rnd([G * H, I]), rnd([G * H, H]), rnd([G * H]), rnd([G * H])]);

  it('rnnCell, lstmCell, gruCell', () => {
    const x = rnd([2, 3]);
    const h = rnd([2, 2]);
    const c = rnd([2, 2]);
    expectOk((xx, hh, ...ws) => rnnCell(xx, hh, w4(ws)[0]), [x, h, ...params(1, [3], 2)]);
    expectOk(
      (xx, hh, cc, ...ws) => {
        const r = lstmCell(xx, hh, cc, w4(ws)[0]);
        return flat(r.h, r.c);
      },
      [x, h, c, ...params(4, [3], 2)],
    );
    expectOk((xx, hh, ...ws) => gruCell(xx, hh, w4(ws)[0]), [x, h, ...params(3, [3], 2)]);
  });

  it('rnnCell relu away from the kink', () => {
    const w = [
      f64([0.5, -1, 1.5, 0.25], [2, 2]),
      f64([0.3, 0.2, -0.4, 0.6], [2, 2]),
      f64([0.1, -0.1], [2]),
      f64([0.2, 0.05], [2]),
    ];
    const x = f64([1, 0.5, -1, 0.8], [2, 2]);
    const h = f64([0.4, -0.3, 0.2, 0.9], [2, 2]);
    expectOk((xx, hh, ...ws) => rnnCell(xx, hh, w4(ws)[0], 'relu'), [x, h, ...w]);
  });

  it('rnn: two layers', () => {
    const x = rnd([3, 2, 2]);
    const h0 = rnd([2, 2, 2]);
    expectOk(
      (xx, hh, ...ws) => {
        const r = rnn(xx, hh, w4(ws));
        return flat(r.output, r.hN);
      },
      [x, h0, ...params(1, [2, 2], 2)],
    );
  });

  it('lstm: bidirectional, batchFirst', () => {
    const x = rnd([2, 3, 2]);
    const h0 = rnd([2, 2, 2]);
    const c0 = rnd([2, 2, 2]);
    expectOk(
      (xx, hh, cc, ...ws) => {
        const r = lstm(xx, hh, cc, w4(ws), { bidirectional: true, batchFirst: true });
        return flat(r.output, r.hN, r.cN);
      },
      [x, h0, c0, ...params(4, [2, 2], 2)],
    );
  });

  it('lstm: two layers time-major, and a single time step', () => {
    for (const T of [4, 1]) {
      const x = rnd([T, 2, 3]);
      const h0 = rnd([2, 2, 2]);
      const c0 = rnd([2, 2, 2]);
      expectOk(
        (xx, hh, cc, ...ws) => {
          const r = lstm(xx, hh, cc, w4(ws));
          return flat(r.output, r.hN, r.cN);
        },
        [x, h0, c0, ...params(4, [3, 2], 2)],
      );
    }
  });

  it('lstm: second derivatives, through the gradient recorded with createGraph', () => {
    const x = rnd([3, 2, 2]);
    const v = rnd([3, 2, 2]);
    expectOk(
      (xx, ...ws) => {
        const loss = (t: Tensor) => sum(square(lstm(t, null, null, w4(ws)).output));
        const [gx] = grad(loss, { createGraph: true })(xx);
        return sum(mul(gx, v));
      },
      [x, ...params(4, [2], 2)],
    );
  });

  it('gru: two layers', () => {
    const x = rnd([3, 2, 2]);
    const h0 = rnd([2, 2, 2]);
    expectOk(
      (xx, hh, ...ws) => {
        const r = gru(xx, hh, w4(ws));
        return flat(r.output, r.hN);
      },
      [x, h0, ...params(3, [2, 2], 2)],
    );
  });
});
