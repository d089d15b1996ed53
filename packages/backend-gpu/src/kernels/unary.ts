import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { kernelSource } from '../codegen';

/**
 * Each op as an expression of `v` in gpu.js's kernel language. Functions GLSL ES 1.0 lacks
 * (tanh, expm1, log1p, erf) are written out, in forms that keep float32 accuracy.
 */
const EXPR: Record<kernels.UnaryOp, string> = {
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
  sin: 'Math.sin(v)',
  cos: 'Math.cos(v)',
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

export const unaryKernel: KernelFunc<kernels.UnaryAttrs, GpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const source = kernelSource(['x'], `const v = x[this.thread.x];\n  return ${EXPR[attrs.op]};`);
  return backend.run({ source }, [x], x.shape, attrs.op === 'not' ? 'bool' : x.dtype);
};

export const unaryConfig = { kernelName: kernels.Unary, kernelFunc: unaryKernel };
