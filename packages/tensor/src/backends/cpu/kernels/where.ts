import type { KernelFunc } from '../../../kernel_registry';
import { Where } from '../../../kernels';
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';

export const whereKernel: KernelFunc<object, CpuBackend> = ({ inputs: [cond, a, b], backend }) => {
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const cv = backend.values(cond);
  const av = backend.values(a);
  const bv = backend.values(b);
  const y = backend.empty(a.dtype, sizeOf(shape));
  // The gradients of relu/max and masked fills: a full condition and branch, `b` full or a constant.
  const full = shapesEqual(cond.shape, shape) && shapesEqual(a.shape, shape);
  const n = y.length;
  if (full && shapesEqual(b.shape, shape)) {
    for (let i = 0; i < n; i++) y[i] = cv[i] !== 0 ? av[i] : bv[i];
    return backend.output(y, shape, a.dtype);
  }
  if (full && bv.length === 1) {
    const s = bv[0];
    for (let i = 0; i < n; i++) y[i] = cv[i] !== 0 ? av[i] : s;
    return backend.output(y, shape, a.dtype);
  }
  const strides = [cond, a, b].map((t) => broadcastStrides(t.shape, shape));
  forEachRow(shape, strides, (o, [oc, oa, ob], n, [sc, sa, sb]) => {
    for (let i = 0; i < n; i++) y[o + i] = cv[oc + i * sc] !== 0 ? av[oa + i * sa] : bv[ob + i * sb];
  });
  return backend.output(y, shape, a.dtype);
};

export const whereConfig = { kernelName: Where, kernelFunc: whereKernel };
