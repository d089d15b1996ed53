import type { KernelFunc } from '../../../kernel_registry';
import { AdamUpdate, type AdamUpdateAttrs } from '../../../kernels';
import type { CpuBackend } from '../backend';
import { wasmInstance } from './gemm_wasm';

const fr = Math.fround;
/** Parameters below this many elements take the JS loop (the copies in and out cost more). */
const WASM_MIN_ELEMENTS = 1024;

/** The step's scalars, each rounded to float32 once, as a float32 scalar tensor would hold it. */
interface Scalars {
  decay: number;
  wd: number;
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  sqrtBc2: number;
  eps: number;
  stepSize: number;
}

/**
 * The fused Adam step for float32 (see ops/adam_step.ts): one pass over the parameter, its
 * gradient and state — in WebAssembly SIMD (wasm/adam.ts) where the module runs, else in JS.
 * Every intermediate is rounded to float32 exactly where the composed ops store one, so the result
 * has the same bits as the composed reference.
 */
export const adamUpdateKernel: KernelFunc<AdamUpdateAttrs, CpuBackend> = ({ inputs, attrs, backend }) => {
  const states = inputs.map((t) => backend.values(t) as Float32Array);
  const n = states[0].length;
  // The new parameter, moments and (AMSGrad) running maximum.
  const outs = (attrs.amsgrad ? [0, 1, 2, 3] : [0, 1, 2]).map(
    () => backend.empty('float32', n) as Float32Array,
  );
  const { lr, beta1, beta2, weightDecay, step } = attrs;
  const k: Scalars = {
    decay: fr(1 - lr * weightDecay),
    wd: fr(weightDecay),
    b1: fr(beta1),
    c1: fr(1 - beta1),
    b2: fr(beta2),
    c2: fr(1 - beta2),
    sqrtBc2: fr(Math.sqrt(1 - beta2 ** step)),
    eps: fr(attrs.eps),
    stepSize: fr(lr / (1 - beta1 ** step)),
  };
  if (n < WASM_MIN_ELEMENTS || !adamWasm(states, outs, attrs, k)) adamJs(states, outs, attrs, k);
  return outs.map((values) => backend.output(values, inputs[0].shape, 'float32'));
};

/**
 * The step in WebAssembly SIMD, four at a time: the states copied in, updated in place, copied
 * out into `outs`. False, having written nothing, where the module cannot run.
 */
function adamWasm(states: Float32Array[], outs: Float32Array[], attrs: AdamUpdateAttrs, k: Scalars): boolean {
  const n = states[0].length;
  const bytes = (n * 4 + 15) & ~15;
  const ws = wasmInstance(bytes * states.length);
  if (!ws) return false;
  states.forEach((a, i) => {
    ws.f32.set(a, (i * bytes) >> 2);
  });
  const mode = (attrs.weightDecay !== 0 ? (attrs.decoupled ? 2 : 1) : 0) | (attrs.amsgrad ? 4 : 0);
  const { decay, wd, b1, c1, b2, c2, sqrtBc2, eps, stepSize } = k;
  ws.exports.adam(
    0,
    bytes,
    2 * bytes,
    3 * bytes,
    4 * bytes,
    n,
    mode,
    decay,
    wd,
    b1,
    c1,
    b2,
    c2,
    sqrtBc2,
    eps,
    stepSize,
  );
  // States are laid out p, g, m, v, max; the outputs p, m, v, max (the gradient has none).
  outs.forEach((out, i) => {
    const at = ((i === 0 ? 0 : i + 1) * bytes) >> 2;
    out.set(ws.f32.subarray(at, at + n));
  });
  return true;
}

/** The step in JS, element by element, rounding as the composed ops do. */
function adamJs(states: Float32Array[], outs: Float32Array[], attrs: AdamUpdateAttrs, k: Scalars): void {
  const [P, G, M, V, X] = states;
  const [p2, m2, v2, x2] = outs;
  const { decay, wd, b1, c1, b2, c2, sqrtBc2, eps, stepSize } = k;
  const { decoupled } = attrs;
  for (let i = 0; i < P.length; i++) {
    const p = P[i];
    let g = G[i];
    let param = p;
    if (wd !== 0) {
      if (decoupled) param = fr(p * decay);
      else g = fr(g + fr(p * wd));
    }
    const m = fr(fr(M[i] * b1) + fr(g * c1));
    const v = fr(fr(V[i] * b2) + fr(fr(g * g) * c2));
    let vUsed = v;
    if (x2) {
      const u = X[i];
      vUsed = u > v || Number.isNaN(u) ? u : v; // maximum(maxExpAvgSq, v)
      x2[i] = vUsed;
    }
    const denom = fr(fr(fr(Math.sqrt(vUsed)) / sqrtBc2) + eps);
    p2[i] = param - fr(fr(m / denom) * stepSize);
    m2[i] = m;
    v2[i] = v;
  }
}

export const adamUpdateConfig = { kernelName: AdamUpdate, kernelFunc: adamUpdateKernel };
