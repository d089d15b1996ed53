/**
 * sigmoid, tanh, exp and erf for float32 arrays, in WebAssembly SIMD — the activations of every
 * recurrent cell, softmax's exp and GELU's erf, where a training step spends much of its
 * elementwise time in JS's Math.exp/Math.tanh.
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
 *   erf(x)      ../src/math/erf.ts's formulas and tables (scripts/erf-coefficients.py): a Taylor
 *               polynomial below |x| = 1/2, 1 − t·exp(−x² + P(y)) above (t = 2/(2+|x|),
 *               y = 5t/2 − 1); both are computed and one is selected per lane
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

/** c0 + c1·y. */
@inline
function pair(c0: f64, c1: f64, y: v128): v128 {
  return f64x2.add(f64x2.splat(c0), f64x2.mul(f64x2.splat(c1), y));
}

/** lo + hi·yᵏ. */
@inline
function join(lo: v128, hi: v128, yk: v128): v128 {
  return f64x2.add(lo, f64x2.mul(hi, yk));
}

// The two polynomials by Estrin's scheme (pairs, then pairs of pairs with y², y⁴, …): a handful
// of dependent steps instead of Horner's 22, which left the loop waiting on each multiply-add.

/** ../src/math/erf.ts's TAYLOR table in t = x² (erf(x)/x below |x| = 1/2). */
@inline
function erfTaylor(t: v128): v128 {
  const t2 = f64x2.mul(t, t);
  const a0 = pair(1.1283791670955126, -0.37612638903183754, t);
  const a1 = pair(0.11283791670955126, -0.026866170645131252, t);
  const a2 = pair(0.005223977625442188, -0.0008548327023450853, t);
  const a3 = pair(0.00012055332981789664, -1.492565035840625e-5, t);
  const a4 = pair(1.6462114365889248e-6, -1.6365844691234924e-7, t);
  const a5 = pair(1.4807192815879218e-8, -1.2290555301717928e-9, t);
  const a6 = f64x2.splat(9.422759064650411e-11);
  const b0 = join(a0, a1, t2);
  const b1 = join(a2, a3, t2);
  const b2 = join(a4, a5, t2);
  const t4 = f64x2.mul(t2, t2);
  const c0 = join(b0, b1, t4);
  const c1 = join(b2, a6, t4);
  const t8 = f64x2.mul(t4, t4);
  const d0 = join(c0, c1, t8);
  return d0;
}

/** ../src/math/erf.ts's ERFC table in y (log(erfc(z)/t) + z² above z = 1/2). */
@inline
function erfcExponent(y: v128): v128 {
  const y2 = f64x2.mul(y, y);
  const a0 = pair(-0.8040723101069576, 0.518768445016173, y);
  const a1 = pair(0.04637608495283519, -0.018367473809447758, y);
  const a2 = pair(-0.0069752546844415305, 0.001620994933128636, y);
  const a3 = pair(0.0011597609013779726, -0.00024266199147940766, y);
  const a4 = pair(-0.00021131553535754647, 5.453600050766954e-5, y);
  const a5 = pair(3.8873713078721625e-5, -1.4771613795468917e-5, y);
  const a6 = pair(-6.3976162826328166e-6, 4.0118701558897055e-6, y);
  const a7 = pair(6.952407485408886e-7, -9.758782255498251e-7, y);
  const a8 = pair(5.284280009209815e-8, 1.9295536266794137e-7, y);
  const a9 = pair(-5.319592811043855e-8, -2.6948656367387665e-8, y);
  const a10 = pair(1.4100842396935222e-8, 1.9471619558845963e-9, y);
  const a11 = f64x2.splat(-1.6164756150672942e-9);
  const b0 = join(a0, a1, y2);
  const b1 = join(a2, a3, y2);
  const b2 = join(a4, a5, y2);
  const b3 = join(a6, a7, y2);
  const b4 = join(a8, a9, y2);
  const b5 = join(a10, a11, y2);
  const y4 = f64x2.mul(y2, y2);
  const c0 = join(b0, b1, y4);
  const c1 = join(b2, b3, y4);
  const c2 = join(b4, b5, y4);
  const y8 = f64x2.mul(y4, y4);
  const d0 = join(c0, c1, y8);
  const y16 = f64x2.mul(y8, y8);
  const e0 = join(d0, c2, y16);
  return e0;
}

@inline
function erf2(x: v128): v128 {
  const a = f64x2.abs(x);
  const x2 = f64x2.mul(a, a);
  const small = f64x2.mul(a, erfTaylor(x2));
  const t = f64x2.div(f64x2.splat(2), f64x2.add(f64x2.splat(2), a));
  const y = f64x2.sub(f64x2.mul(f64x2.splat(2.5), t), f64x2.splat(1));
  // exp's argument capped at −700 (erfc is 0 to double precision long before it): −∞ stays out.
  const e = exp2x(f64x2.max(f64x2.sub(erfcExponent(y), x2), f64x2.splat(-700)));
  const big = f64x2.sub(f64x2.splat(1), f64x2.mul(t, e));
  const r = v128.bitselect(small, big, f64x2.lt(a, f64x2.splat(0.5)));
  return v128.or(r, v128.and(x, i64x2.splat(0x8000000000000000)));
}

/** e^x, x clamped to [−700, 700] first: beyond, float32's result is 0 or ∞ anyway. NaN stays NaN. */
@inline
function exp2(x: v128): v128 {
  return exp2x(f64x2.min(f64x2.max(x, f64x2.splat(-700)), f64x2.splat(700)));
}

/** The op's function of two float64 values; the branch is the same for the whole call. */
@inline
function apply2(op: i32, v: v128): v128 {
  if (op === 0) return sigmoid2(v);
  if (op === 1) return tanh2(v);
  if (op === 2) return exp2(v);
  return erf2(v);
}

/** op 0: sigmoid, 1: tanh, 2: exp, 3: erf, over n float32 values. */
export function activation(op: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const v = v128.load(x + at);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    const rl = apply2(op, lo);
    const rh = apply2(op, hi);
    const out = i32x4.shuffle(f32x4.demote_f64x2_zero(rl), f32x4.demote_f64x2_zero(rh), 0, 1, 4, 5);
    v128.store(y + at, out);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = f64x2.splat(<f64>load<f32>(x + at));
    const r = apply2(op, v);
    store<f32>(y + at, <f32>f64x2.extract_lane(r, 0));
  }
}
