/**
 * The functional cores of the recurrent layers: plain functions over tensors, with PyTorch's
 * equations, layouts and gate orders (LSTM i, f, g, o; GRU r, z, n). The Modules in
 * `layers/recurrent.ts` call these.
 *
 * A sequence layer projects the whole input sequence with one matmul (x W_ihᵀ + b, for all time
 * steps at once), then runs the recurrence step by step, with only the h W_hhᵀ product and the
 * gate arithmetic per step. The LSTM's recurrence is one recorded call with its own gradient
 * (lstm_recurrence.ts); RNN and GRU steps are differentiated op by op.
 */

import {
  add,
  bernoulli,
  concat,
  DTypeError,
  fmtShape,
  type Generator,
  isFloat,
  matmul,
  mul,
  narrow,
  permute,
  relu,
  reshape,
  ShapeError,
  sigmoid,
  split,
  stack,
  sub,
  Tensor,
  tanh,
  tidy,
  ValueError,
  zeros,
} from '@axon/tensor';
import { lstmRecurrence } from './lstm_recurrence';

/** The weights of one cell, or of one layer and direction of a sequence layer (torch layout). */
export interface RecurrentWeights {
  /** [G·H, I]: G = 1 (RNN), 4 (LSTM, rows i, f, g, o) or 3 (GRU, rows r, z, n). */
  weightIh: Tensor;
  /** [G·H, H]. */
  weightHh: Tensor;
  /** [G·H], or none. */
  biasIh?: Tensor | null;
  /** [G·H], or none. */
  biasHh?: Tensor | null;
}

export type RNNNonlinearity = 'tanh' | 'relu';

export interface RecurrentOptions {
  /** Two directions per layer; `weights` then alternates forward, reverse (torch's order). */
  bidirectional?: boolean;
  /** Input and output are [B, T, ·] instead of [T, B, ·] (states stay [L·D, B, H]). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, applied only when `training`. */
  dropout?: number;
  training?: boolean;
  /** For the dropout masks (default: the generator seeded by `manualSeed`). */
  generator?: Generator;
}

export interface RNNFunctionOptions extends RecurrentOptions {
  nonlinearity?: RNNNonlinearity;
}

export interface RecurrentResult {
  /** [T, B, D·H] ([B, T, D·H] with batchFirst; [T, D·H] for an unbatched input). */
  output: Tensor;
  /** [L·D, B, H] ([L·D, H] unbatched): the last state of each layer and direction. */
  hN: Tensor;
}

export interface LSTMResult extends RecurrentResult {
  /** [L·D, B, H] ([L·D, H] unbatched): the last cell state of each layer and direction. */
  cN: Tensor;
}

type Kind = 'RNN' | 'LSTM' | 'GRU';

const GATES: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };

interface Spec {
  /** The name errors start with. */
  name: string;
  kind: Kind;
  act: RNNNonlinearity;
}

// ---- cells ----

/** torch.nn.functional RNNCell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). x [B, I] or [I]; h [B, H] or [H] (zeros when absent). */
export function rnnCell(
  x: Tensor,
  h: Tensor | null | undefined,
  weights: RecurrentWeights,
  nonlinearity: RNNNonlinearity = 'tanh',
): Tensor {
  const spec: Spec = { name: 'RNNCell', kind: 'RNN', act: checkNonlinearity('RNNCell', nonlinearity) };
  return tidy(() => {
    const s = cellSetup(spec, x, { h, c: null }, weights);
    return s.unbatch(rnnStep(s.xp, s.h, weights.weightHh, spec.act));
  });
}

/**
 * LSTMCell: gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh split into i, f, g, o; c' = σ(f) c + σ(i) tanh(g);
 * h' = σ(o) tanh(c'). Absent states are zeros.
 */
export function lstmCell(
  x: Tensor,
  h: Tensor | null | undefined,
  c: Tensor | null | undefined,
  weights: RecurrentWeights,
): { h: Tensor; c: Tensor } {
  const spec: Spec = { name: 'LSTMCell', kind: 'LSTM', act: 'tanh' };
  return tidy(() => {
    const s = cellSetup(spec, x, { h, c }, weights);
    // One step of the sequence layer's recurrence (lstm_recurrence.ts): one home for the equations.
    const [B, G] = s.xp.shape;
    const { hs, cs } = lstmRecurrence(reshape(s.xp, [1, B, G]), s.h, s.c, weights.weightHh);
    return { h: s.unbatch(reshape(hs, s.h.shape)), c: s.unbatch(reshape(cs, s.c.shape)) };
  });
}

/**
 * GRUCell: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
 * h' = (1 − z) ⊙ n + z ⊙ h. An absent state is zeros.
 */
export function gruCell(x: Tensor, h: Tensor | null | undefined, weights: RecurrentWeights): Tensor {
  const spec: Spec = { name: 'GRUCell', kind: 'GRU', act: 'tanh' };
  return tidy(() => {
    const s = cellSetup(spec, x, { h, c: null }, weights);
    return s.unbatch(gruStep(s.xp, s.h, weights.weightHh, weights.biasHh ?? null));
  });
}

function cellSetup(
  spec: Spec,
  x: Tensor,
  states: { h: Tensor | null | undefined; c: Tensor | null | undefined },
  w: RecurrentWeights,
): { xp: Tensor; h: Tensor; c: Tensor; unbatch: (t: Tensor) => Tensor } {
  const { name } = spec;
  checkFloat(name, x, 'input');
  const { inputSize, hiddenSize: H } = checkWeights(spec, w, null, '');
  if (x.rank < 1 || x.rank > 2 || x.shape[x.rank - 1] !== inputSize) {
    throw new ShapeError(
      `${name}: expected input [B, ${inputSize}] or [${inputSize}], got ${fmtShape(x.shape)}`,
    );
  }
  const batched = x.rank === 2;
  const B = batched ? x.shape[0] : 1;
  const want = batched ? [B, H] : [H];
  const state = (t: Tensor | null | undefined, label: string): Tensor => {
    if (t === null || t === undefined) return zeros([B, H], x.dtype);
    checkFloat(name, t, label);
    if (t.shape.join() !== want.join()) {
      throw new ShapeError(`${name}: expected ${label} ${fmtShape(want)}, got ${fmtShape(t.shape)}`);
    }
    return batched ? t : reshape(t, [1, H]);
  };
  const h = state(states.h, 'h');
  const c = spec.kind === 'LSTM' ? state(states.c, 'c') : h;
  const x2 = batched ? x : reshape(x, [1, inputSize]);
  const xp = inputProjection(spec.kind, x2, w);
  return { xp, h, c, unbatch: (t) => (batched ? t : reshape(t, [H])) };
}

// ---- sequence layers ----

/**
 * A multi-layer Elman RNN (torch.nn.RNN): h_t = act(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).
 * `x` is [T, B, I] ([B, T, I] with batchFirst, or [T, I] unbatched); `h0` is [L·D, B, H] (zeros when
 * absent); `weights` lists each layer's weights, and with `bidirectional` forward then reverse.
 */
export function rnn(
  x: Tensor,
  h0: Tensor | null | undefined,
  weights: readonly RecurrentWeights[],
  options: RNNFunctionOptions = {},
): RecurrentResult {
  const act = checkNonlinearity('RNN', options.nonlinearity ?? 'tanh');
  const { output, hN } = runSequence({ name: 'RNN', kind: 'RNN', act }, x, h0, null, weights, options);
  return { output, hN };
}

/** A multi-layer LSTM (torch.nn.LSTM), gates i, f, g, o; see `rnn` for the layouts. */
export function lstm(
  x: Tensor,
  h0: Tensor | null | undefined,
  c0: Tensor | null | undefined,
  weights: readonly RecurrentWeights[],
  options: RecurrentOptions = {},
): LSTMResult {
  const r = runSequence({ name: 'LSTM', kind: 'LSTM', act: 'tanh' }, x, h0, c0, weights, options);
  return { output: r.output, hN: r.hN, cN: r.cN as Tensor };
}

/** A multi-layer GRU (torch.nn.GRU), gates r, z, n; see `rnn` for the layouts. */
export function gru(
  x: Tensor,
  h0: Tensor | null | undefined,
  weights: readonly RecurrentWeights[],
  options: RecurrentOptions = {},
): RecurrentResult {
  const { output, hN } = runSequence(
    { name: 'GRU', kind: 'GRU', act: 'tanh' },
    x,
    h0,
    null,
    weights,
    options,
  );
  return { output, hN };
}

function runSequence(
  spec: Spec,
  x: Tensor,
  h0: Tensor | null | undefined,
  c0: Tensor | null | undefined,
  weights: readonly RecurrentWeights[],
  options: RecurrentOptions,
): { output: Tensor; hN: Tensor; cN: Tensor | null } {
  const { name, kind } = spec;
  const { bidirectional = false, batchFirst = false, dropout = 0, training = false, generator } = options;
  if (!(typeof dropout === 'number' && dropout >= 0 && dropout <= 1)) {
    throw new ValueError(`${name}: dropout must be a number in [0, 1], got ${String(dropout)}`);
  }
  const D = bidirectional ? 2 : 1;
  if (!Array.isArray(weights) || weights.length === 0 || weights.length % D !== 0) {
    throw new ValueError(
      `${name}: expected a non-empty list of weights with ${D} entr${D === 1 ? 'y' : 'ies'} per layer, got ${Array.isArray(weights) ? weights.length : String(weights)}`,
    );
  }
  const L = weights.length / D;
  checkFloat(name, x, 'input');
  const first = checkWeights(spec, weights[0], null, suffix(0, 0));
  const I = first.inputSize;
  const H = first.hiddenSize;
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      if (l === 0 && d === 0) continue;
      checkWeights(spec, weights[l * D + d], { inputSize: l === 0 ? I : D * H, hiddenSize: H }, suffix(l, d));
    }
  }
  const layout = batchFirst ? `[B, T, ${I}]` : `[T, B, ${I}]`;
  if (x.rank < 2 || x.rank > 3 || x.shape[x.rank - 1] !== I) {
    throw new ShapeError(
      `${name}: expected input ${layout} or [T, ${I}] (unbatched), got ${fmtShape(x.shape)}`,
    );
  }
  const batched = x.rank === 3;
  // Unbatched input runs as a batch of one, time-major (torch ignores batchFirst there).
  const timeAxis = batched && batchFirst ? 1 : 0;
  const T = x.shape[timeAxis];
  const B = batched ? x.shape[1 - timeAxis] : 1;
  if (T === 0) throw new ShapeError(`${name}: the input sequence is empty (shape ${fmtShape(x.shape)})`);
  const stateShape = batched ? [L * D, B, H] : [L * D, H];
  const initial = (t: Tensor | null | undefined, label: string): Tensor[] | null => {
    if (t === null || t === undefined) return null;
    checkFloat(name, t, label);
    if (t.shape.join() !== stateShape.join()) {
      throw new ShapeError(`${name}: expected ${label} ${fmtShape(stateShape)}, got ${fmtShape(t.shape)}`);
    }
    return split(t, 1, 0).map((s) => reshape(s, [B, H]));
  };

  return tidy(() => {
    const hs = initial(h0, 'h0');
    const cs = kind === 'LSTM' ? initial(c0, 'c0') : null;
    const zero = hs && (kind !== 'LSTM' || cs) ? null : zeros([B, H], x.dtype);
    // Time-major throughout the layers (one transpose in, one out, not two per layer).
    let input = batched ? (timeAxis === 1 ? permute(x, [1, 0, 2]) : x) : reshape(x, [T, 1, I]);
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const r = runDirection(
          spec,
          input,
          weights[k],
          hs?.[k] ?? (zero as Tensor),
          cs?.[k] ?? (zero as Tensor),
          d === 1,
        );
        outs.push(r.output);
        hN.push(r.h);
        cN.push(r.c);
      }
      input = D === 1 ? outs[0] : concat(outs, 2);
      if (l < L - 1 && training && dropout > 0) input = applyDropout(input, dropout, generator);
    }
    const output = batched
      ? timeAxis === 1
        ? permute(input, [1, 0, 2])
        : input
      : reshape(input, [T, D * H]);
    const finalState = (ts: Tensor[]): Tensor => reshape(stack(ts, 0), stateShape);
    return { output, hN: finalState(hN), cN: kind === 'LSTM' ? finalState(cN) : null };
  });
}

/** One layer, one direction: `input` [T, B, In] → output [T, B, H], and the last states [B, H]. */
function runDirection(
  spec: Spec,
  input: Tensor,
  w: RecurrentWeights,
  h0: Tensor,
  c0: Tensor,
  reverse: boolean,
): { output: Tensor; h: Tensor; c: Tensor } {
  const [T, B, inSize] = input.shape;
  const G = w.weightIh.shape[0];
  // One matmul for all time steps, then one slice per step.
  const xp = reshape(inputProjection(spec.kind, reshape(input, [T * B, inSize]), w), [T, B, G]);
  if (spec.kind === 'LSTM') {
    // The whole recurrence as one recorded call (lstm_recurrence.ts).
    const { hs, cs } = lstmRecurrence(xp, h0, c0, w.weightHh, reverse);
    const state = (states: Tensor) =>
      reshape(narrow(states, 0, reverse ? 0 : T - 1, 1), [B, states.shape[2]]);
    return { output: hs, h: state(hs), c: state(cs) };
  }
  const steps = split(xp, 1, 0);
  const outs = new Array<Tensor>(T);
  let h = h0;
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    const xt = reshape(steps[t], [B, G]);
    if (spec.kind === 'GRU') {
      h = gruStep(xt, h, w.weightHh, w.biasHh ?? null);
    } else {
      h = rnnStep(xt, h, w.weightHh, spec.act);
    }
    outs[t] = h;
  }
  return { output: stack(outs, 0), h, c: c0 };
}

// ---- the per-step arithmetic (shared by cells and sequence layers) ----

/**
 * x W_ihᵀ plus the biases that can be added before the recurrence: both of them for RNN and LSTM,
 * b_ih only for GRU (its b_hn sits inside r ⊙ (·)).
 */
function inputProjection(kind: Kind, x2d: Tensor, w: RecurrentWeights): Tensor {
  let xp = matmul(x2d, w.weightIh, { transposeB: true });
  const { biasIh, biasHh } = w;
  if (kind === 'GRU') {
    if (biasIh) xp = add(xp, biasIh);
  } else if (biasIh && biasHh) {
    xp = add(xp, add(biasIh, biasHh));
  } else if (biasIh || biasHh) {
    xp = add(xp, (biasIh ?? biasHh) as Tensor);
  }
  return xp;
}

function rnnStep(xp: Tensor, h: Tensor, weightHh: Tensor, act: RNNNonlinearity): Tensor {
  const pre = add(xp, matmul(h, weightHh, { transposeB: true }));
  return act === 'relu' ? relu(pre) : tanh(pre);
}

function gruStep(xp: Tensor, h: Tensor, weightHh: Tensor, biasHh: Tensor | null): Tensor {
  const H = h.shape[1];
  let hp = matmul(h, weightHh, { transposeB: true });
  if (biasHh) hp = add(hp, biasHh);
  const [xr, xz, xn] = split(xp, H, 1);
  const [hr, hz, hn] = split(hp, H, 1);
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  // (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
  return add(n, mul(z, sub(h, n)));
}

function applyDropout(x: Tensor, p: number, generator: Generator | undefined): Tensor {
  if (p === 1) return mul(x, 0);
  const keepMask = bernoulli(1 - p, x.shape, { dtype: x.dtype, generator });
  return mul(x, mul(keepMask, 1 / (1 - p)));
}

// ---- validation ----

function suffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? '_reverse' : ''}`;
}

function checkNonlinearity(name: string, v: unknown): RNNNonlinearity {
  if (v !== 'tanh' && v !== 'relu') {
    throw new ValueError(`${name}: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkFloat(name: string, t: unknown, label: string): void {
  if (!(t instanceof Tensor)) {
    throw new ValueError(`${name}: expected ${label} to be a Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  if (!isFloat(t.dtype))
    throw new DTypeError(`${name}: expected ${label} to be float32 or float64, got ${t.dtype}`);
}

/**
 * Checks one set of weights (torch names with `sfx`, e.g. weight_ih_l1_reverse) against the gate
 * count and, when given, the expected sizes; returns the sizes read from them.
 */
function checkWeights(
  spec: Spec,
  w: RecurrentWeights,
  expected: { inputSize: number; hiddenSize: number } | null,
  sfx: string,
): { inputSize: number; hiddenSize: number } {
  const { name, kind } = spec;
  const G = GATES[kind];
  if (typeof w !== 'object' || w === null) {
    throw new ValueError(
      `${name}: expected weights {weightIh, weightHh, biasIh?, biasHh?}, got ${String(w)}`,
    );
  }
  checkFloat(name, w.weightIh, `weight_ih${sfx}`);
  checkFloat(name, w.weightHh, `weight_hh${sfx}`);
  const hh = w.weightHh.shape;
  if (hh.length !== 2 || hh[1] === 0 || hh[0] !== G * hh[1] || (expected && hh[1] !== expected.hiddenSize)) {
    const want = expected ? fmtShape([G * expected.hiddenSize, expected.hiddenSize]) : `[${G}·H, H]`;
    throw new ShapeError(`${name}: expected weight_hh${sfx} ${want}, got ${fmtShape(hh)}`);
  }
  const H = hh[1];
  const ih = w.weightIh.shape;
  if (ih.length !== 2 || ih[0] !== G * H || (expected && ih[1] !== expected.inputSize)) {
    const want = expected ? fmtShape([G * H, expected.inputSize]) : `[${G * H}, I]`;
    throw new ShapeError(`${name}: expected weight_ih${sfx} ${want}, got ${fmtShape(ih)}`);
  }
  for (const [label, b] of [
    [`bias_ih${sfx}`, w.biasIh],
    [`bias_hh${sfx}`, w.biasHh],
  ] as const) {
    if (b === null || b === undefined) continue;
    checkFloat(name, b, label);
    if (b.shape.length !== 1 || b.shape[0] !== G * H) {
      throw new ShapeError(`${name}: expected ${label} [${G * H}], got ${fmtShape(b.shape)}`);
    }
  }
  return { inputSize: ih[1], hiddenSize: H };
}
