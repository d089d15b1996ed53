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
 * condition is a mask with random signs (the gradient of relu). `a` and `b` are each full or one
 * value (leaky relu's slope is where(x > 0, 1, alpha); a gradient sends 0 to the branch not taken).
 */
function selectFloat32(
  c: TypedArray,
  a: Float32Array,
  aFull: boolean,
  b: Float32Array,
  bFull: boolean,
  y: Float32Array,
): void {
  const ab = new Int32Array(a.buffer, a.byteOffset, a.length);
  const bb = new Int32Array(b.buffer, b.byteOffset, b.length);
  const yb = new Int32Array(y.buffer, y.byteOffset, y.length);
  const [sa, sb] = [ab[0], bb[0]];
  if (aFull && bFull) {
    for (let i = 0; i < yb.length; i++) {
      const m = -+(c[i] !== 0);
      yb[i] = (ab[i] & m) | (bb[i] & ~m);
    }
  } else if (aFull) {
    for (let i = 0; i < yb.length; i++) {
      const m = -+(c[i] !== 0);
      yb[i] = (ab[i] & m) | (sb & ~m);
    }
  } else if (bFull) {
    for (let i = 0; i < yb.length; i++) {
      const m = -+(c[i] !== 0);
      yb[i] = (sa & m) | (bb[i] & ~m);
    }
  } else {
    for (let i = 0; i < yb.length; i++) {
      const m = -+(c[i] !== 0);
      yb[i] = (sa & m) | (sb & ~m);
    }
  }
}

export const whereKernel: KernelFunc<object, CpuBackend> = ({ inputs: [cond, a, b], backend }) => {
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const cv = backend.values(cond);
  const av = backend.values(a);
  const bv = backend.values(b);
  const y = backend.empty(a.dtype, sizeOf(shape));
  // The gradients of relu/max, masked fills, slopes: a full condition, each branch full or a constant.
  const n = y.length;
  const aFull = shapesEqual(a.shape, shape);
  const bFull = shapesEqual(b.shape, shape);
  const condFull = shapesEqual(cond.shape, shape);
  const full = condFull && aFull;
  if (condFull && (aFull || av.length === 1) && (bFull || bv.length === 1) && y instanceof Float32Array) {
    const [af, bf] = [av as Float32Array, bv as Float32Array];
    // A float32 condition (relu's gradient selects by its output) runs in WebAssembly.
    const inModule =
      aFull &&
      cv instanceof Float32Array &&
      pointwiseInWasm([cv, af, bf], y, (e, [c, a, b, out], len) =>
        e.select(c, a, b, bFull ? 1 : 0, out, len),
      );
    if (!inModule) selectFloat32(cv, af, aFull, bf, bFull, y);
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
