import {
  broadcastShapes,
  broadcastStrides,
  type KernelFunc,
  kernels,
  sizeOf,
  type TensorInfo,
} from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource } from '../codegen';

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

export const binaryKernel: KernelFunc<kernels.BinaryAttrs, GpuBackend> = ({
  inputs: [x, y],
  attrs,
  backend,
}) => {
  const shape = broadcastShapes(attrs.op, x.shape, y.shape);
  // An input of the output's shape is read at the thread's own element (in the GL modes, its own
  // texel: see GpuBackend.run), a one-element input at 0; only a broadcast one needs an offset.
  const size = shape.reduce((p, d) => p * d, 1);
  // (An input as large as the output is not broadcast at all: same elements, same order.)
  const read = (t: TensorInfo, name: string) =>
    sizeOf(t.shape) === size ? `${name}[this.thread.x]` : sizeOf(t.shape) === 1 ? `${name}[0]` : null;
  const direct = { x: read(x, 'x'), y: read(y, 'y') };
  const strides: Record<string, number[]> = {};
  if (!direct.x) strides.x = broadcastStrides(x.shape, shape);
  if (!direct.y) strides.y = broadcastStrides(y.shape, shape);
  const index = Object.keys(strides).length > 0 ? `${indexCode(shape, strides)}\n  ` : '';
  const source = kernelSource(
    ['x', 'y'],
    `${index}const a = ${direct.x ?? 'x[o_x]'};\n  const b = ${direct.y ?? 'y[o_y]'};\n  return ${EXPR[attrs.op]};`,
  );
  const dtype = kernels.COMPARISON_OPS.has(attrs.op) ? 'bool' : x.dtype;
  return backend.run({ source }, [x, y], shape, dtype);
};

export const binaryConfig = { kernelName: kernels.Binary, kernelFunc: binaryKernel };
