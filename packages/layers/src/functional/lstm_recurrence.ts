/**
 * The LSTM recurrence over a whole sequence, recorded as one call with a gradient of its own
 * (backpropagation through time written out, as cuDNN does it), instead of T steps of a dozen
 * recorded ops each.
 *
 * Why: autograd differentiates each step's ops one by one — every split, sigmoid, product and
 * sum gets its own backward op — and accumulates the recurrent weight's gradient as T separate
 * [4H, B]·[B, H] products and T − 1 adds. Here the forward keeps each step's gate activations
 * and tanh(c) (two more outputs of the call), the backward computes every factor that does not
 * depend on the incoming gradient in bulk over the whole sequence, runs only what is truly
 * sequential step by step (dc, dh and the product that carries dh back), and takes the recurrent
 * weight's gradient as one product [4H, T·B]·[T·B, H] at the end.
 *
 * Equations (torch's gate order i, f, g, o): with G = x W_ihᵀ + b (given, `xp`) + h_{t−1} W_hhᵀ,
 *   i, f, o = σ(G_i, G_f, G_o), g = tanh(G_g), c_t = f c_{t−1} + i g, h_t = o tanh(c_t).
 * Backward, for the total gradients dh_t, dc_t of each step's state:
 *   dc_t = (from c's own use) + dc_{t+1}·f_{t+1} + dh_t·o (1 − tanh² c_t)
 *   dG = [dc·g·i(1−i), dc·c_{t−1}·f(1−f), dc·i·(1−g²), dh·tanh(c_t)·o(1−o)]
 *   dh_{t−1} += dG W_hh, dxp = dG, dW_hh = Σ_t dGᵀ h_{t−1}.
 */
import { GRAPH, registerGradient } from '@axon/autograd';
import {
  add,
  concat,
  ENGINE,
  matmul,
  mul,
  narrow,
  reshape,
  sigmoid,
  split,
  square,
  stack,
  sub,
  type Tensor,
  tanh,
  tidy,
} from '@axon/tensor';

/** The pseudo-kernel's name, as the graph records it. */
export const LSTM_RECURRENCE = 'LSTMRecurrence';

interface RecurrenceAttrs {
  /** Run from the last time step to the first (the reverse direction of a bidirectional layer). */
  reverse: boolean;
}

/**
 * xp [T, B, 4H] (the input projection with both biases, time-major), h0 and c0 [B, H], weightHh
 * [4H, H] → hs and cs [T, B, H], the hidden and cell state after each time step (in time order,
 * also when `reverse`: then step T − 1 runs first, from h0 and c0). The recorded call has two
 * more outputs for its gradient: the activated gates [T, B, 4H] (i, f, g, o) and tanh(cs).
 */
export function lstmRecurrence(
  xp: Tensor,
  h0: Tensor,
  c0: Tensor,
  weightHh: Tensor,
  reverse = false,
): { hs: Tensor; cs: Tensor } {
  const attrs: RecurrenceAttrs = { reverse };
  const [hs, cs] = ENGINE.runComposite(LSTM_RECURRENCE, [xp, h0, c0, weightHh], attrs, () => {
    const [T, B] = xp.shape;
    const H = h0.shape[1];
    const steps = split(xp, 1, 0);
    const [hList, cList, gateList, tanhCList] = [[], [], [], []].map(() => new Array<Tensor>(T));
    let h = h0;
    let c = c0;
    for (const t of timeOrder(T, reverse)) {
      // Each step in its own scope: only the new state and what the backward reads outlive it.
      const next = tidy(() => {
        const pre = add(reshape(steps[t], [B, 4 * H]), matmul(h, weightHh, { transposeB: true }));
        const [i, f, , o] = split(sigmoid(pre), H, 1);
        const g = tanh(narrow(pre, 1, 2 * H, H));
        const cNext = add(mul(f, c), mul(i, g));
        const tanhC = tanh(cNext);
        return { h: mul(o, tanhC), c: cNext, gates: concat([i, f, g, o], 1), tanhC };
      });
      [hList[t], cList[t], gateList[t], tanhCList[t]] = [next.h, next.c, next.gates, next.tanhC];
      h = next.h;
      c = next.c;
    }
    // The backward's saved values ride along as two more outputs, which no caller reads.
    return [hList, cList, gateList, tanhCList].map((list) => stack(list, 0));
  });
  return { hs, cs };
}

/** The time steps in the order the recurrence visits them. */
function timeOrder(T: number, reverse: boolean): number[] {
  const order = Array.from({ length: T }, (_, t) => t);
  return reverse ? order.reverse() : order;
}

/** The state each step started from, [T, B, H]: the neighbouring step's (h0/c0 for the first one run). */
function previous(states: Tensor, initial: Tensor, reverse: boolean): Tensor {
  const [T, B, H] = states.shape;
  const first = reshape(initial, [1, B, H]);
  if (T === 1) return first;
  return reverse
    ? concat([narrow(states, 0, 1, T - 1), first], 0)
    : concat([first, narrow(states, 0, 0, T - 1)], 0);
}

/** The gates i, f, g, o after their nonlinearities [T, B, 4H] and tanh(cs), from the inputs and states. */
function activations(xp: Tensor, hPrev: Tensor, cs: Tensor, weightHh: Tensor): [Tensor, Tensor] {
  const [T, B, G] = xp.shape;
  const H = G / 4;
  const pre = add(xp, reshape(matmul(reshape(hPrev, [T * B, H]), weightHh, { transposeB: true }), [T, B, G]));
  const [i, f, g, o] = split(pre, H, 2);
  return [concat([sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)], 2), tanh(cs)];
}

registerGradient<RecurrenceAttrs>(
  LSTM_RECURRENCE,
  ([dhs, dcs], { inputs: [xp, h0, c0, weightHh], outputs, attrs, needsGrad }) => {
    const [hs, cs] = outputs;
    const [T, B, G] = xp.shape;
    const H = G / 4;
    const hPrev = previous(hs, h0, attrs.reverse);
    const cPrev = previous(cs, c0, attrs.reverse);
    // Recording this gradient (createGraph, for a second derivative), the saved activations would
    // be constants to it: recompute them from the inputs and states, which the graph follows.
    const [gates, tc] = GRAPH.recording ? activations(xp, hPrev, cs, weightHh) : [outputs[2], outputs[3]];
    const [i, f, g, o] = split(gates, H, 2);
    // dc_t gets dh_t·cFromH; dG = [dc, dc, dc, dh] · dGate.
    const cFromH = mul(o, sub(1, square(tc)));
    const dGate = concat(
      [
        mul(g, mul(i, sub(1, i))),
        mul(cPrev, mul(f, sub(1, f))),
        mul(i, sub(1, square(g))),
        mul(tc, mul(o, sub(1, o))),
      ],
      2,
    );
    const at = (x: Tensor, width: number) => split(x, 1, 0).map((s) => reshape(s, [B, width]));
    const [dhAt, dcAt, cFromHAt, fAt, dGateAt] = [
      at(dhs, H),
      at(dcs, H),
      at(cFromH, H),
      at(f, H),
      at(dGate, G),
    ];
    const dGs = new Array<Tensor>(T);
    let dhCarry: Tensor | null = null;
    let dcCarry: Tensor | null = null;
    for (const t of timeOrder(T, attrs.reverse).reverse()) {
      const dh = dhCarry ? add(dhAt[t], dhCarry) : dhAt[t];
      let dc = add(dcAt[t], mul(dh, cFromHAt[t]));
      if (dcCarry) dc = add(dc, dcCarry);
      const dG = mul(concat([dc, dc, dc, dh], 1), dGateAt[t]);
      dGs[t] = dG;
      dcCarry = mul(dc, fAt[t]);
      dhCarry = matmul(dG, weightHh);
    }
    const dXp = stack(dGs, 0);
    const dW =
      needsGrad?.[3] === false
        ? null
        : matmul(reshape(dXp, [T * B, G]), reshape(hPrev, [T * B, H]), { transposeA: true });
    return [dXp, dhCarry, dcCarry, dW];
  },
);
