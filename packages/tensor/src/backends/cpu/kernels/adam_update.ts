import type { KernelFunc } from '../../../kernel_registry';
import { AdamUpdate, type AdamUpdateAttrs } from '../../../kernels';
import type { CpuBackend } from '../backend';
import { wasmInstance } from './gemm_wasm';

const fr = Math.fround;
/** Parameters below this many elements take the JS loop (the copies in and out cost more). */
const WASM_MIN_ELEMENTS = 1024;

/**
 * The fused Adam step for float32 (see ops/adam_step.ts): one pass over the parameter, its
 * gradient and state — in WebAssembly SIMD (wasm/adam.ts) where the module runs, else in JS. Every intermediate is rounded to float32 exactly where the composed ops
 * store one (a scalar operand too, as a float32 scalar tensor holds it), so the result has the
 * same bits as the composed reference.
 */
export const adamUpdateKernel: KernelFunc<AdamUpdateAttrs, CpuBackend> = ({ inputs, attrs, backend }) => {
  const [P, G, M, V, X] = inputs.map((t) => backend.values(t) as Float32Array);
  const n = P.length;
  const p2 = backend.empty('float32', n);
  const m2 = backend.empty('float32', n);
  const v2 = backend.empty('float32', n);
  const x2 = attrs.amsgrad ? backend.empty('float32', n) : null;
  const { lr, beta1, beta2, weightDecay: wd, decoupled, step } = attrs;
  const decay = fr(1 - lr * wd);
  const wdF = fr(wd);
  const b1 = fr(beta1);
  const c1 = fr(1 - beta1);
  const b2 = fr(beta2);
  const c2 = fr(1 - beta2);
  const sqrtBc2 = fr(Math.sqrt(1 - beta2 ** step));
  const eps = fr(attrs.eps);
  const stepSize = fr(lr / (1 - beta1 ** step));
  if (n >= WASM_MIN_ELEMENTS) {
    // The same step in WebAssembly SIMD, four at a time: the states copied in, updated in place,
    // copied out into the new arrays.
    const arrays = x2 ? [P, G, M, V, X] : [P, G, M, V];
    const bytes = (n * 4 + 15) & ~15;
    const ws = wasmInstance(bytes * arrays.length);
    if (ws) {
      arrays.forEach((a, k) => {
        ws.f32.set(a, (k * bytes) >> 2);
      });
      const mode = (wd !== 0 ? (decoupled ? 2 : 1) : 0) | (x2 ? 4 : 0);
      ws.exports.adam(
        0,
        bytes,
        2 * bytes,
        3 * bytes,
        4 * bytes,
        n,
        mode,
        decay,
        wdF,
        b1,
        c1,
        b2,
        c2,
        sqrtBc2,
        eps,
        stepSize,
      );
      const outs = x2 ? [p2, null, m2, v2, x2] : [p2, null, m2, v2];
      outs.forEach((out, k) => {
        if (out) out.set(ws.f32.subarray((k * bytes) >> 2, ((k * bytes) >> 2) + n));
      });
      return finish();
    }
  }
  for (let i = 0; i < n; i++) {
    const p = P[i];
    let g = G[i];
    let param = p;
    if (wd !== 0) {
      if (decoupled) param = fr(p * decay);
      else g = fr(g + fr(p * wdF));
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
  return finish();

  function finish() {
    const shape = inputs[0].shape;
    const out = [p2, m2, v2, ...(x2 ? [x2] : [])];
    return out.map((values) => backend.output(values, shape, 'float32'));
  }
};

export const adamUpdateConfig = { kernelName: AdamUpdate, kernelFunc: adamUpdateKernel };
