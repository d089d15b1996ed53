import { type Tensor, tensor } from '@axon/tensor';
import { numel, seededValues, expectClose as sharedExpectClose } from '@axon/testing';

/** Deterministic values in [-1, 1) (mulberry32), so the tests need no RNG state. */
export function values(n: number, seed: number): number[] {
  return seededValues(n, seed);
}

export const SHAPES: number[][] = [[2, 3], [3]];

export function f64(data: number[], shape: number[]): Tensor {
  return tensor(data, { shape, dtype: 'float64' });
}

/** Fresh float64 parameters of SHAPES, the same every call. */
export function makeParams(seed = 1): Tensor[] {
  return SHAPES.map((s, i) => f64(values(numel(s), seed + i), s));
}

/** The gradients of step t (0-based) for parameter i. */
export function gradValues(t: number, i: number): number[] {
  return values(numel(SHAPES[i]), 1000 + 17 * t + i).map((v) => v * (1 + t));
}

export function setGrads(params: Tensor[], t: number): void {
  params.forEach((p, i) => {
    p.grad = f64(gradValues(t, i), [...p.shape]);
  });
}

/** The shared `expectClose` with this suite's float64 defaults, taking rtol and atol positionally. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-12,
  atol = 1e-14,
): void {
  sharedExpectClose(actual, expected, { rtol, atol });
}

// ---- reference implementations: torch 1.13's update rules, one element at a time, in float64 ----

type Opts = Record<string, number | boolean | number[]>;
export type RefState = Record<string, number>;

/** Updates element value `p` with gradient `g`; `s` is the element's state (mutated); `t` is the 1-based step. */
export type RefRule = (p: number, g: number, s: RefState, t: number, o: Opts) => number;

export const REF: Record<string, RefRule> = {
  SGD(p, g, s, _t, o) {
    const {
      lr,
      momentum = 0,
      dampening = 0,
      nesterov = false,
      weightDecay = 0,
    } = o as Record<string, number>;
    let d = g + weightDecay * p;
    if (momentum !== 0) {
      s.buf = s.buf === undefined ? d : momentum * s.buf + (1 - dampening) * d;
      d = nesterov ? d + momentum * s.buf : s.buf;
    }
    return p - lr * d;
  },
  Adam(p, g, s, t, o) {
    return adam(p, g, s, t, o, false);
  },
  AdamW(p, g, s, t, o) {
    return adam(p, g, s, t, { weightDecay: 0.01, ...o }, true);
  },
  RMSprop(p, g, s, _t, o) {
    const {
      lr = 0.01,
      alpha = 0.99,
      eps = 1e-8,
      weightDecay = 0,
      momentum = 0,
    } = o as Record<string, number>;
    g = g + weightDecay * p;
    s.v = alpha * (s.v ?? 0) + (1 - alpha) * g * g;
    let avg: number;
    if (o.centered) {
      s.ga = alpha * (s.ga ?? 0) + (1 - alpha) * g;
      avg = Math.sqrt(s.v - s.ga * s.ga) + eps;
    } else avg = Math.sqrt(s.v) + eps;
    if (momentum > 0) {
      s.buf = momentum * (s.buf ?? 0) + g / avg;
      return p - lr * s.buf;
    }
    return p - (lr * g) / avg;
  },
  Adagrad(p, g, s, t, o) {
    const {
      lr = 0.01,
      lrDecay = 0,
      weightDecay = 0,
      initialAccumulatorValue = 0,
      eps = 1e-10,
    } = o as Record<string, number>;
    g = g + weightDecay * p;
    const clr = lr / (1 + (t - 1) * lrDecay);
    s.sum = (s.sum ?? initialAccumulatorValue) + g * g;
    return p - (clr * g) / (Math.sqrt(s.sum) + eps);
  },
};

function adam(p: number, g: number, s: RefState, t: number, o: Opts, decoupled: boolean): number {
  const { lr = 1e-3, eps = 1e-8, weightDecay = 0 } = o as Record<string, number>;
  const [b1, b2] = (o.betas as number[] | undefined) ?? [0.9, 0.999];
  if (decoupled) p = p * (1 - lr * weightDecay);
  else g = g + weightDecay * p;
  s.m = b1 * (s.m ?? 0) + (1 - b1) * g;
  s.v = b2 * (s.v ?? 0) + (1 - b2) * g * g;
  let v = s.v;
  if (o.amsgrad) v = s.vmax = Math.max(s.vmax ?? 0, s.v);
  const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps;
  return p - (lr / (1 - b1 ** t)) * (s.m / denom);
}

/** Runs `rule` for `steps` steps over the values of makeParams(seed) with gradValues; returns each param's values. */
export function reference(rule: RefRule, o: Opts, steps: number, seed = 1): number[][] {
  return SHAPES.map((s, i) => {
    const n = numel(s);
    const ps = values(n, seed + i);
    const states: RefState[] = ps.map(() => ({}));
    for (let t = 0; t < steps; t++) {
      const gs = gradValues(t, i);
      for (let k = 0; k < n; k++) ps[k] = rule(ps[k], gs[k], states[k], t + 1, o);
    }
    return ps;
  });
}
