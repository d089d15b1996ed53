/**
 * sigmoid and tanh for float32 arrays, in WebAssembly SIMD — the activations of every recurrent
 * cell, where a training step spends much of its elementwise time in JS's Math.exp/Math.tanh.
 *
 * They compute in float64, two values per f64x2, with the same formulas as the JS kernels
 * (../src/backends/cpu/kernels/unary.ts), and round once to float32: JS's exp and this one are
 * both within an ulp of float64, so the float32 results agree except in the rare case where the
 * float64 value sits on a float32 rounding boundary (then by one float32 ulp).
 *
 *   exp(x)      x = k·ln2 + r (|r| ≤ ln2/2, ln2 split into a high part exact in k·ln2hi and a low
 *               part); e^r = 1 + r + r·c/(2 − c) with c = r − r²·P(r²), P a degree-4 minimax
 *               polynomial (the classic fdlibm scheme, < 1 ulp); then 2^k joined into the exponent
 *   sigmoid(x)  1 / (1 + e^−x) for x ≥ 0, e^x / (1 + e^x) otherwise (e^−|x| never overflows)
 *   tanh(x)     x·(1 − x²/3 + 2x⁴/15 − …) for |x| < 1/32 (Taylor, to x¹¹); otherwise
 *               sign(x)·(1 − 2 / (e^2|x| + 1)), with |x| capped at 350 (tanh is ±1 there)
 */

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;

/** e^x for x in [−708, 708] (callers clamp), NaN in, NaN out. */
@inline
function exp2x(x: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(INV_LN2)));
  const hi = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(k, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  p = f64x2.add(f64x2.splat(P3), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P2), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  // y = 1 − ((lo − r·c / (2 − c)) − hi)
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2), c));
  const y = f64x2.sub(f64x2.splat(1), f64x2.sub(f64x2.sub(lo, q), hi));
  // y · 2^k: add k to the exponent field (k is a whole number in [−1022, 1022] here).
  const k64 = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.add(y, i64x2.shl(k64, 52));
}

@inline
function sigmoid2(x: v128): v128 {
  const e = exp2x(f64x2.max(f64x2.neg(f64x2.abs(x)), f64x2.splat(-700)));
  const onePlus = f64x2.add(f64x2.splat(1), e);
  const pos = f64x2.div(f64x2.splat(1), onePlus);
  const neg = f64x2.div(e, onePlus);
  return v128.bitselect(pos, neg, f64x2.ge(x, f64x2.splat(0)));
}

@inline
function tanh2(x: v128): v128 {
  const a = f64x2.abs(x);
  // Taylor for small |x|: a·(1 + a²·(−1/3 + a²·(2/15 + a²·(−17/315 + a²·(62/2835 − a²·1382/155925)))))
  const t = f64x2.mul(a, a);
  let p = f64x2.sub(f64x2.splat(62.0 / 2835.0), f64x2.mul(t, f64x2.splat(1382.0 / 155925.0)));
  p = f64x2.add(f64x2.splat(-17.0 / 315.0), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(2.0 / 15.0), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(-1.0 / 3.0), f64x2.mul(t, p));
  const small = f64x2.add(a, f64x2.mul(a, f64x2.mul(t, p)));
  const e = exp2x(f64x2.mul(f64x2.splat(2), f64x2.min(a, f64x2.splat(350))));
  const big = f64x2.sub(f64x2.splat(1), f64x2.div(f64x2.splat(2), f64x2.add(e, f64x2.splat(1))));
  const r = v128.bitselect(small, big, f64x2.lt(a, f64x2.splat(0.03125)));
  // The sign of x (−0 stays −0; a NaN stays NaN).
  return v128.or(r, v128.and(x, i64x2.splat(0x8000000000000000)));
}

/** op 0: sigmoid, 1: tanh, over n float32 values. */
export function activation(op: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const v = v128.load(x + at);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    const rl = op === 0 ? sigmoid2(lo) : tanh2(lo);
    const rh = op === 0 ? sigmoid2(hi) : tanh2(hi);
    const out = i32x4.shuffle(f32x4.demote_f64x2_zero(rl), f32x4.demote_f64x2_zero(rh), 0, 1, 4, 5);
    v128.store(y + at, out);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = f64x2.splat(<f64>load<f32>(x + at));
    const r = op === 0 ? sigmoid2(v) : tanh2(v);
    store<f32>(y + at, <f32>f64x2.extract_lane(r, 0));
  }
}
