import { allocate, type TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Binary, type BinaryAttrs, type BinaryOp, COMPARISON_OPS } from '../../../kernels';
import { broadcastShapes, broadcastStrides, shapesEqual } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';

type Fn = (a: number, b: number) => number;

const FNS: Record<BinaryOp, Fn> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  // NaN propagates, as in torch.maximum/minimum.
  maximum: (a, b) => (a > b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a < b || Number.isNaN(a) ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  and: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  or: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
};

/** Same-shape arithmetic is the hot case (optimizer updates, activations): plain loops, no calls. */
function sameShapeFast(op: BinaryOp, a: TypedArray, b: TypedArray, y: TypedArray): boolean {
  const n = y.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) y[i] = a[i] + b[i];
      return true;
    case 'sub':
      for (let i = 0; i < n; i++) y[i] = a[i] - b[i];
      return true;
    case 'mul':
      for (let i = 0; i < n; i++) y[i] = a[i] * b[i];
      return true;
    case 'div':
      for (let i = 0; i < n; i++) y[i] = a[i] / b[i];
      return true;
    default:
      return false;
  }
}

export const binaryKernel: KernelFunc<BinaryAttrs, CpuBackend> = ({ inputs: [a, b], attrs, backend }) => {
  const shape = broadcastShapes(attrs.op, a.shape, b.shape);
  const dtype = COMPARISON_OPS.has(attrs.op) ? 'bool' : a.dtype;
  const av = backend.values(a);
  const bv = backend.values(b);
  let size = 1;
  for (const d of shape) size *= d;
  const y = allocate(dtype, size);
  const fn = FNS[attrs.op];
  if (shapesEqual(a.shape, b.shape)) {
    if (!sameShapeFast(attrs.op, av, bv, y)) for (let i = 0; i < size; i++) y[i] = fn(av[i], bv[i]);
  } else if (bv.length === 1) {
    const s = bv[0];
    for (let i = 0; i < size; i++) y[i] = fn(av[i], s);
  } else if (av.length === 1) {
    const s = av[0];
    for (let i = 0; i < size; i++) y[i] = fn(s, bv[i]);
  } else {
    const strides = [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)];
    forEachRow(shape, strides, (o, [oa, ob], n, [sa, sb]) => {
      for (let i = 0; i < n; i++) y[o + i] = fn(av[oa + i * sa], bv[ob + i * sb]);
    });
  }
  return backend.output(y, shape, dtype);
};

export const binaryConfig = { kernelName: Binary, kernelFunc: binaryKernel };
