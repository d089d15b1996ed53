import { broadcastShapes, type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';

/** Each op as an expression of `a` and `b`. Comparisons give 1.0 / 0.0 (bool on the device). */
const EXPR: Record<kernels.BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  // pow with a negative base is defined for whole exponents (GLSL's pow is not)
  pow: '(a >= 0.0 ? Math.pow(a, b) : (Math.floor(b) == b ? (Math.floor(b * 0.5) * 2.0 == b ? 1.0 : -1.0) * Math.pow(-a, b) : (0.0 / 0.0)))',
  // NaN propagates, as in torch (a != a tests for NaN)
  maximum: '(a > b || a != a ? a : b)',
  minimum: '(a < b || a != a ? a : b)',
  eq: '(a == b ? 1.0 : 0.0)',
  ne: '(a != b ? 1.0 : 0.0)',
  lt: '(a < b ? 1.0 : 0.0)',
  le: '(a <= b ? 1.0 : 0.0)',
  gt: '(a > b ? 1.0 : 0.0)',
  ge: '(a >= b ? 1.0 : 0.0)',
  and: '(a != 0.0 && b != 0.0 ? 1.0 : 0.0)',
  or: '(a != 0.0 || b != 0.0 ? 1.0 : 0.0)',
};

/** EXPR as backend.elementwise templates ($0 = a, $1 = b), made once. */
const TEMPLATE = Object.fromEntries(
  Object.entries(EXPR).map(([op, e]) => [op, e.replace(/\ba\b/g, '$$0').replace(/\bb\b/g, '$$1')]),
) as Record<kernels.BinaryOp, string>;

export const binaryKernel: KernelFunc<kernels.BinaryAttrs, GpuBackend> = ({
  inputs: [x, y],
  attrs,
  backend,
}) => {
  const shape = broadcastShapes(attrs.op, x.shape, y.shape);
  const dtype = kernels.COMPARISON_OPS.has(attrs.op) ? 'bool' : x.dtype;
  return backend.elementwise(TEMPLATE[attrs.op], [x, y], shape, dtype);
};

export const binaryConfig = { kernelName: kernels.Binary, kernelFunc: binaryKernel };
