import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { kernelSource } from '../codegen';

/**
 * Each op as an expression of `v` in gpu.js's kernel language. Functions GLSL ES 1.0 lacks
 * (tanh, expm1, log1p, erf) are written out, in forms that keep float32 accuracy; so are sin and
 * cos (see TRIG), whose built-ins are too coarse on some drivers.
 */
const EXPR: Record<Exclude<kernels.UnaryOp, 'sin' | 'cos'>, string> = {
  neg: '-v',
  abs: 'Math.abs(v)',
  sign: '(v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0))',
  exp: 'Math.exp(v)',
  expm1: '(Math.abs(v) < 0.00001 ? v + 0.5 * v * v : Math.exp(v) - 1.0)',
  log: 'Math.log(v)',
  log1p: '(Math.abs(v) < 0.0001 ? v - 0.5 * v * v : Math.log(1.0 + v))',
  sqrt: 'Math.sqrt(v)',
  rsqrt: '1.0 / Math.sqrt(v)',
  square: 'v * v',
  reciprocal: '1.0 / v',
  // tanh from exp(-2|v|), which never overflows
  tanh: '(v >= 0.0 ? 1.0 : -1.0) * (1.0 - Math.exp(-2.0 * Math.abs(v))) / (1.0 + Math.exp(-2.0 * Math.abs(v)))',
  sigmoid: '(v >= 0.0 ? 1.0 / (1.0 + Math.exp(-v)) : Math.exp(v) / (1.0 + Math.exp(v)))',
  relu: '(v > 0.0 ? v : 0.0)',
  step: '(v > 0.0 ? 1.0 : 0.0)',
  // Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below float32's resolution near 1
  erf: '(v >= 0.0 ? 1.0 : -1.0) * (1.0 - (((((1.061405429 * (1.0 / (1.0 + 0.3275911 * Math.abs(v))) - 1.453152027) * (1.0 / (1.0 + 0.3275911 * Math.abs(v))) + 1.421413741) * (1.0 / (1.0 + 0.3275911 * Math.abs(v))) - 0.284496736) * (1.0 / (1.0 + 0.3275911 * Math.abs(v))) + 0.254829592) * (1.0 / (1.0 + 0.3275911 * Math.abs(v)))) * Math.exp(-v * v))',
  floor: 'Math.floor(v)',
  ceil: 'Math.ceil(v)',
  // half to even, as torch.round
  round:
    '(Math.floor(v + 0.5) - v == 0.5 && Math.floor(v + 0.5) - 2.0 * Math.floor(Math.floor(v + 0.5) / 2.0) != 0.0 ? Math.floor(v + 0.5) - 1.0 : Math.floor(v + 0.5))',
  not: '(v == 0.0 ? 1.0 : 0.0)',
};

/**
 * sin and cos in float32 without the driver's built-ins (SwiftShader's are off by ~2e-4): reduce
 * v by k·π/2 in three parts (Cody–Waite, exact for |k| up to a few thousand), evaluate the minimax
 * polynomials of sin and cos on [-π/4, π/4] (Cephes' sinf/cosf), and pick by quadrant. `shift` is 0
 * for sin and 1 for cos (cos v = sin(v + π/2), one quadrant on).
 */
const TRIG = `
  const k = Math.floor(v * 0.6366197723675814 + 0.5);
  const r = v - k * 1.5703125 - k * 4.837512969970703e-4 - k * 7.549789948768648e-8;
  const r2 = r * r;
  const s = r + r * r2 * (-0.16666654611 + r2 * (0.0083321608736 + r2 * -0.00019515295891));
  const c = 1.0 - 0.5 * r2 + r2 * r2 * (0.041666645683 + r2 * (-0.0013887316255 + r2 * 0.00002443315712));
  const q = k + SHIFT - 4.0 * Math.floor((k + SHIFT) / 4.0);
  return q < 0.5 ? s : q < 1.5 ? c : q < 2.5 ? -s : -c;`;

/** EXPR as backend.elementwise templates ($0 = v), made once. */
const TEMPLATE = Object.fromEntries(
  Object.entries(EXPR).map(([op, e]) => [op, e.replace(/\bv\b/g, '$$0')]),
) as Record<keyof typeof EXPR, string>;

export const unaryKernel: KernelFunc<kernels.UnaryAttrs, GpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { op } = attrs;
  const dtype = op === 'not' ? 'bool' : x.dtype;
  if (op === 'sin' || op === 'cos') {
    // statements, not an expression: a kernel of its own
    const source = kernelSource(
      ['x'],
      `const v = x[this.thread.x];${TRIG.replace(/SHIFT/g, op === 'sin' ? '0.0' : '1.0')}`,
    );
    return backend.run({ source }, [x], x.shape, dtype);
  }
  return backend.elementwise(TEMPLATE[op], [x], x.shape, dtype);
};

export const unaryConfig = { kernelName: kernels.Unary, kernelFunc: unaryKernel };
