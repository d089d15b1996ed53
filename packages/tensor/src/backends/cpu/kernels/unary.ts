import type { TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Unary, type UnaryAttrs, type UnaryOp } from '../../../kernels';
import { erf } from '../../../math/erf';
import type { CpuBackend } from '../backend';
import { pointwiseInWasm } from './wasm_loops';

/**
 * relu on float32 without a branch: the bits of x, cleared where x is negative (its sign bit,
 * spread by `>> 31`) and not NaN. On activations with random signs a branchy max mispredicts half
 * the time and runs ~10× slower. Negative inputs give +0, NaN stays NaN, as Math.max(x, 0).
 */
function reluFloat32(x: Float32Array, y: Float32Array): void {
  const xb = new Int32Array(x.buffer, x.byteOffset, x.length);
  const yb = new Int32Array(y.buffer, y.byteOffset, y.length);
  const n = xb.length;
  for (let i = 0; i < n; i++) {
    const v = xb[i];
    // (|v| − the smallest NaN) >> 31 is −1 unless v is NaN.
    yb[i] = v & ~((v >> 31) & (((v & 0x7fffffff) - 0x7f800001) >> 31));
  }
}

/**
 * Each op is a whole loop, so the switch runs once per call, not once per element. Loops write
 * 0/1 results as `+(test)`, never `test ? 1 : 0`, which mispredicts on data with random signs.
 */
function apply(op: UnaryOp, x: TypedArray, y: TypedArray): void {
  const n = x.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) y[i] = -x[i];
      return;
    case 'abs':
      for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]);
      return;
    case 'sign':
      for (let i = 0; i < n; i++) y[i] = +(x[i] > 0) - +(x[i] < 0);
      return;
    case 'exp':
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
      return;
    case 'expm1':
      for (let i = 0; i < n; i++) y[i] = Math.expm1(x[i]);
      return;
    case 'log':
      for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
      return;
    case 'log1p':
      for (let i = 0; i < n; i++) y[i] = Math.log1p(x[i]);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]);
      return;
    case 'rsqrt':
      for (let i = 0; i < n; i++) y[i] = 1 / Math.sqrt(x[i]);
      return;
    case 'square':
      for (let i = 0; i < n; i++) y[i] = x[i] * x[i];
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) y[i] = 1 / x[i];
      return;
    case 'sin':
      for (let i = 0; i < n; i++) y[i] = Math.sin(x[i]);
      return;
    case 'cos':
      for (let i = 0; i < n; i++) y[i] = Math.cos(x[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      return;
    case 'sigmoid':
      // Two branches so that exp never overflows: for large |x| the result saturates cleanly.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          y[i] = e / (1 + e);
        }
      }
      return;
    case 'relu':
      if (x instanceof Float32Array && y instanceof Float32Array) {
        if (!pointwiseInWasm([x], y, (e, [xAt, yAt], len) => e.relu(xAt, yAt, len))) reluFloat32(x, y);
      } else for (let i = 0; i < n; i++) y[i] = Math.max(x[i], 0);
      return;
    case 'step':
      for (let i = 0; i < n; i++) y[i] = +(x[i] > 0);
      return;
    case 'erf':
      for (let i = 0; i < n; i++) y[i] = erf(x[i]);
      return;
    case 'floor':
      for (let i = 0; i < n; i++) y[i] = Math.floor(x[i]);
      return;
    case 'ceil':
      for (let i = 0; i < n; i++) y[i] = Math.ceil(x[i]);
      return;
    case 'round':
      // Round half to even, like torch.round.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const r = Math.round(v);
        y[i] = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
      }
      return;
    case 'not':
      for (let i = 0; i < n; i++) y[i] = +(x[i] === 0);
      return;
  }
}

/**
 * float32 sigmoid, tanh, exp and erf in WebAssembly (wasm/transcendental.ts: float64 inside, the
 * JS loops' formulas; the float32 results agree but for the rare value on a rounding boundary, by
 * one ulp).
 */
const WASM_ACTIVATIONS: Partial<Record<UnaryOp, number>> = { sigmoid: 0, tanh: 1, exp: 2, erf: 3 };

export const unaryKernel: KernelFunc<UnaryAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const dtype = attrs.op === 'not' ? 'bool' : x.dtype;
  const xv = backend.values(x);
  const out = backend.empty(dtype, xv.length);
  const code = WASM_ACTIVATIONS[attrs.op];
  const float32 = xv instanceof Float32Array && out instanceof Float32Array;
  const inModule =
    float32 &&
    ((code !== undefined &&
      pointwiseInWasm([xv], out, (e, [xAt, yAt], n) => e.activation(code, xAt, yAt, n))) ||
      // x · x as the module's multiply (2): one float32 rounding of the exact product, as here.
      (attrs.op === 'square' &&
        pointwiseInWasm([xv], out, (e, [xAt, yAt], n) => e.binary(2, xAt, 1, xAt, 1, yAt, n))));
  if (!inModule) apply(attrs.op, xv, out);
  return backend.output(out, x.shape, dtype);
};

export const unaryConfig = { kernelName: Unary, kernelFunc: unaryKernel };
