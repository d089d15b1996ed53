/**
 * The error function to near double precision (gradient checks difference it in float64, so a
 * 1e-7 approximation would not do), at a fixed cost of a few dozen flops and one exp — GELU runs
 * it over every hidden activation of a transformer, twice a step.
 *
 *   |x| < 1/2   erf(x) = x · Σₙ TAYLOR[n] x²ⁿ (the Taylor series, 13 terms)
 *   |x| ≥ 1/2   erf(x) = 1 − erfc(|x|), erfc(z) = t·exp(−z² + Σₖ ERFC[k]·yᵏ), t = 2/(2+z),
 *               y = 5t/2 − 1 ∈ (−1, 1] (Numerical Recipes' change of variable for erfc, whose
 *               log, less the Gaussian, is smooth in t out to z = ∞; the polynomial is the
 *               degree-22 Chebyshev interpolant, written in powers of y)
 *
 * Both tables come from scripts/erf-coefficients.py (mpmath at 40 digits), which also measures
 * the result: at most 4.8e-16 relative error on (0, 6.5].
 * wasm/transcendental.ts evaluates the same tables two values at a time.
 */
const TAYLOR = [
  1.1283791670955126, -0.37612638903183754, 0.11283791670955126, -0.026866170645131252, 0.005223977625442188,
  -0.0008548327023450853, 0.00012055332981789664, -1.492565035840625e-5, 1.6462114365889248e-6,
  -1.6365844691234924e-7, 1.4807192815879218e-8, -1.2290555301717928e-9, 9.422759064650411e-11,
];
const ERFC = [
  -0.8040723101069576, 0.518768445016173, 0.04637608495283519, -0.018367473809447758, -0.0069752546844415305,
  0.001620994933128636, 0.0011597609013779726, -0.00024266199147940766, -0.00021131553535754647,
  5.453600050766954e-5, 3.8873713078721625e-5, -1.4771613795468917e-5, -6.3976162826328166e-6,
  4.0118701558897055e-6, 6.952407485408886e-7, -9.758782255498251e-7, 5.284280009209815e-8,
  1.9295536266794137e-7, -5.319592811043855e-8, -2.6948656367387665e-8, 1.4100842396935222e-8,
  1.9471619558845963e-9, -1.6164756150672942e-9,
];

export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 0.5) {
    const x2 = x * x;
    let p = 0;
    for (let n = TAYLOR.length - 1; n >= 0; n--) p = p * x2 + TAYLOR[n];
    return x * p;
  }
  if (Number.isNaN(x)) return Number.NaN;
  const t = 2 / (2 + a);
  const y = 2.5 * t - 1;
  let p = 0;
  for (let k = ERFC.length - 1; k >= 0; k--) p = p * y + ERFC[k];
  const r = 1 - t * Math.exp(-a * a + p);
  return x < 0 ? -r : r;
}
