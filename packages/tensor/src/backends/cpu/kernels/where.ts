import type { TypedArray } from '../../../dtype';
import type { KernelFunc } from '../../../kernel_registry';
import { Where } from '../../../kernels';
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf } from '../../../shape';
import type { CpuBackend } from '../backend';
import { forEachRow } from '../broadcast';
import { pointwiseInWasm } from './wasm_loops';

/**
 * y = cond ? a : b on float32 without a branch, choosing bits with a mask (-1 or 0 from the
 * condition): exact for every value, NaN included, and ~10× faster than a ternary when the
 * condition is a mask with random signs (the gradient of relu). `b` is full, or one value.
 */
function selectFloat32(
  c: TypedArray,
  a: Float32Array,
  b: Float32Array,
  bFull: boolean,
  y: Float32Array,
): void {
  const ab = new Int32Array(a.buffer, a.byteOffset, a.length);
  const bb = new Int32Array(b.buffer, b.byteOffset, b.length);
  const yb = new Int32Array(y.buffer, y.byteOffset, y.length);
  if (bFull) {
    for (let i = 0; i < yb.length; i++) {
      const m = -+(c[i] !== 0);
      yb[i] = (ab[i] & m) | (bb[i] & ~m);
    }
  } else {
    const s = bb[0];
    for (let i = 0; i < yb.length; i++) {
      const m = -+(c[i] !== 0);
      yb[i] = (ab[i] & m) | (s & ~m);
    }
  }
}

export const whereKernel: KernelFunc<object, CpuBackend> = ({ inputs: [cond, a, b], backend }) => {
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const cv = backend.values(cond);
  const av = backend.values(a);
  const bv = backend.values(b);
  const y = backend.empty(a.dtype, sizeOf(shape));
  // The gradients of relu/max and masked fills: a full condition and branch, `b` full or a constant.
  const full = shapesEqual(cond.shape, shape) && shapesEqual(a.shape, shape);
  const n = y.length;
  const bFull = shapesEqual(b.shape, shape);
  if (full && (bFull || bv.length === 1) && y instanceof Float32Array) {
    const [af, bf] = [av as Float32Array, bv as Float32Array];
    // A float32 condition (relu's gradient selects by its output) runs in WebAssembly.
    const inModule =
      cv instanceof Float32Array &&
      pointwiseInWasm([cv, af, bf], y, (e, [c, a, b, out], len) =>
        e.select(c, a, b, bFull ? 1 : 0, out, len),
      );
    if (!inModule) selectFloat32(cv, af, bf, bFull, y);
    return backend.output(y, shape, a.dtype);
  }
  if (full && bFull) {
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
