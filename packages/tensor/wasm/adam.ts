/**
 * The fused Adam step for float32 (see ../src/ops/adam_step.ts for the formula), in WebAssembly
 * SIMD, four parameters at a time. It updates the parameter, both moments and (AMSGrad) the
 * running maximum in place, at byte addresses in the imported memory.
 *
 * Same bits as the composed reference ops: each f32x4 operation rounds its exact result to float32
 * once, which is what the reference gets by computing in float64 and storing to a Float32Array
 * (double rounding is harmless for + − × ÷ and √ at these precisions).
 */

const L2: i32 = 1; // weightDecay·p added to the gradient (Adam)
const DECOUPLED: i32 = 2; // p·(1 − lr·weightDecay) (AdamW)
const AMSGRAD: i32 = 4; // the running maximum of the second moment

export function adam(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  x: usize,
  n: i32,
  mode: i32,
  decay: f32,
  wd: f32,
  b1: f32,
  c1: f32,
  b2: f32,
  c2: f32,
  sqrtBc2: f32,
  eps: f32,
  stepSize: f32,
): void {
  const vDecay = f32x4.splat(decay);
  const vWd = f32x4.splat(wd);
  const vB1 = f32x4.splat(b1);
  const vC1 = f32x4.splat(c1);
  const vB2 = f32x4.splat(b2);
  const vC2 = f32x4.splat(c2);
  const vSqrtBc2 = f32x4.splat(sqrtBc2);
  const vEps = f32x4.splat(eps);
  const vStep = f32x4.splat(stepSize);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    let param = pv;
    if (mode & L2) gv = f32x4.add(gv, f32x4.mul(pv, vWd));
    if (mode & DECOUPLED) param = f32x4.mul(pv, vDecay);
    const mv = f32x4.add(f32x4.mul(v128.load(m + o), vB1), f32x4.mul(gv, vC1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), vB2), f32x4.mul(f32x4.mul(gv, gv), vC2));
    let used = vv;
    if (mode & AMSGRAD) {
      // maximum(max, v) as the reference: max > v, or max is NaN, keeps max.
      const u = v128.load(x + o);
      used = v128.bitselect(u, vv, v128.or(f32x4.gt(u, vv), f32x4.ne(u, u)));
      v128.store(x + o, used);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(used), vSqrtBc2), vEps);
    v128.store(p + o, f32x4.sub(param, f32x4.mul(f32x4.div(mv, denom), vStep)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    let param = pv;
    if (mode & L2) gv = gv + pv * wd;
    if (mode & DECOUPLED) param = pv * decay;
    const mv = load<f32>(m + o) * b1 + gv * c1;
    const vv = load<f32>(v + o) * b2 + gv * gv * c2;
    let used = vv;
    if (mode & AMSGRAD) {
      const u = load<f32>(x + o);
      used = u > vv || u != u ? u : vv;
      store<f32>(x + o, used);
    }
    const denom = sqrt<f32>(used) / sqrtBc2 + eps;
    store<f32>(p + o, param - (mv / denom) * stepSize);
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
  }
}
