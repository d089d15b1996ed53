import type { TypedArray } from '../../../dtype';
import { poolGeometry as geometry, type PoolGeometry } from '../../../kernel_geometry';
import type { KernelFunc } from '../../../kernel_registry';
import { Pool2D, type Pool2DAttrs, Pool2DBackward, type Pool2DBackwardAttrs } from '../../../kernels';
import type { CpuBackend } from '../backend';
import { CHUNK, chunkInWasm, inChunks } from './wasm_loops';

/**
 * Max or min over each window, with the flat h * W + w index of the winner. Only real cells are
 * visited (padding can never win), in row-major order with a strict comparison, so ties keep the
 * first cell, as torch does. A NaN wins and propagates, as in torch.
 */
function extremum(x: TypedArray, isMax: boolean, g: PoolGeometry, y: TypedArray, idx: Int32Array): void {
  const { h, w, oH, oW, kH, kW, sH, sW, pT, pL } = g;
  let o = 0;
  for (let plane = 0; plane < g.planes; plane++) {
    const base = plane * h * w;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = Math.max(oh * sH - pT, 0);
      const h1 = Math.min(oh * sH - pT + kH, h);
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = Math.max(ow * sW - pL, 0);
        const w1 = Math.min(ow * sW - pL + kW, w);
        let best = x[base + h0 * w + w0];
        let at = h0 * w + w0;
        for (let ih = h0; ih < h1; ih++) {
          const row = ih * w;
          for (let iw = w0; iw < w1; iw++) {
            const v = x[base + row + iw];
            // A NaN wins, as in torch.
            if ((isMax ? v > best : v < best) || Number.isNaN(v)) {
              best = v;
              at = row + iw;
            }
          }
        }
        y[o] = best;
        idx[o] = at;
      }
    }
  }
}

/**
 * `extremum` for float32 without data-dependent branches (on activations a max pool's comparisons
 * mispredict often; this ran ~3× faster). Values are compared as integer keys that order like the
 * floats (-0 and +0 equal), and the winner's bits and index are chosen with masks. Same results as
 * `extremum`: strict comparison (ties keep the first cell), a NaN wins and then stays.
 */
function extremumFloat32(
  x: Float32Array,
  isMax: boolean,
  g: PoolGeometry,
  y: Float32Array,
  idx: Int32Array,
): void {
  const { h, w, oH, oW, kH, kW, sH, sW, pT, pL } = g;
  const xb = new Int32Array(x.buffer, x.byteOffset, x.length);
  const yb = new Int32Array(y.buffer, y.byteOffset, y.length);
  // Order-preserving integer key of float bits (negatives flipped, -0 moved onto +0), and NaN test.
  const key = (b: number) => ((b ^ ((b >> 31) & 0x7fffffff)) + (b >>> 31)) | 0;
  const nan = (b: number) => (0x7f800000 - (b & 0x7fffffff)) >>> 31;
  if (kH === 2 && kW === 2 && sH === 2 && sW === 2 && pT === 0 && pL === 0) {
    // The common 2×2 pool, unrolled: every window is whole (floor mode, no padding).
    const sign = isMax ? 1 : -1;
    let o = 0;
    for (let plane = 0; plane < g.planes; plane++) {
      const base = plane * h * w;
      for (let oh = 0; oh < oH; oh++) {
        const r0 = 2 * oh * w;
        const r1 = r0 + w;
        for (let ow = 0; ow < oW; ow++, o++) {
          let at = r0 + 2 * ow;
          let best = xb[base + at];
          for (let j = 1; j < 4; j++) {
            const cell = (j < 2 ? r0 : r1) + 2 * ow + (j & 1);
            const v = xb[base + cell];
            const bestNan = nan(best);
            const better = +(sign * (key(v) - key(best)) > 0);
            const m = -((better & (bestNan ^ 1)) | nan(v));
            best = (v & m) | (best & ~m);
            at = (cell & m) | (at & ~m);
          }
          yb[o] = best;
          idx[o] = at;
        }
      }
    }
    return;
  }
  let o = 0;
  for (let plane = 0; plane < g.planes; plane++) {
    const base = plane * h * w;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = Math.max(oh * sH - pT, 0);
      const h1 = Math.min(oh * sH - pT + kH, h);
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = Math.max(ow * sW - pL, 0);
        const w1 = Math.min(ow * sW - pL + kW, w);
        let at = h0 * w + w0;
        let best = xb[base + at];
        let bestKey = key(best);
        let bestNan = nan(best);
        for (let ih = h0; ih < h1; ih++) {
          const row = ih * w;
          for (let iw = w0; iw < w1; iw++) {
            const v = xb[base + row + iw];
            const k = key(v);
            const better = isMax ? +(k > bestKey) : +(k < bestKey);
            const m = -((better & (bestNan ^ 1)) | nan(v));
            best = (v & m) | (best & ~m);
            at = ((row + iw) & m) | (at & ~m);
            bestKey = key(best);
            bestNan = nan(best);
          }
        }
        yb[o] = best;
        idx[o] = at;
      }
    }
  }
}

/** A 2×2 window with stride 2 and no padding: every window whole, none overlapping. */
function isWhole2x2(g: PoolGeometry): boolean {
  return (
    g.kH === 2 &&
    g.kW === 2 &&
    g.sH === 2 &&
    g.sW === 2 &&
    g.pT === 0 &&
    g.pL === 0 &&
    2 * g.oH <= g.h &&
    2 * g.oW <= g.w
  );
}

/**
 * The whole-window 2×2 max/min pool in WebAssembly (wasm/elementwise.ts), a chunk of planes at a
 * time; false to stay in JS.
 */
function pool2x2InWasm(
  x: Float32Array,
  isMax: boolean,
  g: PoolGeometry,
  y: Float32Array,
  idx: Int32Array,
): boolean {
  const [inPlane, outPlane] = [g.h * g.w, g.oH * g.oW];
  return inChunks(x.length, g.planes, Math.floor(CHUNK / inPlane), (p0, p1) =>
    chunkInWasm(
      [x.subarray(p0 * inPlane, p1 * inPlane)],
      [y.subarray(p0 * outPlane, p1 * outPlane), idx.subarray(p0 * outPlane, p1 * outPlane)],
      (e, [xAt, yAt, idxAt]) => e.maxPool2x2(xAt, p1 - p0, g.h, g.w, g.oH, g.oW, isMax ? 1 : 0, yAt, idxAt),
    ),
  );
}

/** The max/min pool's gradient in WebAssembly, a chunk of planes at a time; false to stay in JS. */
function scatterInWasm(dy: Float32Array, idx: Int32Array, g: PoolGeometry, dx: Float32Array): boolean {
  const [inPlane, outPlane] = [g.h * g.w, g.oH * g.oW];
  return inChunks(dx.length, g.planes, Math.floor(CHUNK / inPlane), (p0, p1) =>
    chunkInWasm(
      [dy.subarray(p0 * outPlane, p1 * outPlane), idx.subarray(p0 * outPlane, p1 * outPlane)],
      [dx.subarray(p0 * inPlane, p1 * inPlane)],
      (e, [dyAt, idxAt, dxAt]) => e.poolScatter(dyAt, idxAt, p1 - p0, outPlane, inPlane, dxAt),
    ),
  );
}

/**
 * The number an average divides by. With countIncludePad it is the window clipped to the padded
 * image (torch's rule, which only matters for windows reaching past the padding); otherwise the
 * number of real cells in the window.
 */
function divisor(g: PoolGeometry, oh: number, ow: number): number {
  const hs = oh * g.sH - g.pT;
  const ws = ow * g.sW - g.pL;
  if (g.countIncludePad) {
    return (Math.min(hs + g.kH, g.h + g.pB) - hs) * (Math.min(ws + g.kW, g.w + g.pR) - ws);
  }
  return (Math.min(hs + g.kH, g.h) - Math.max(hs, 0)) * (Math.min(ws + g.kW, g.w) - Math.max(ws, 0));
}

function average(x: TypedArray, g: PoolGeometry, y: TypedArray): void {
  const { h, w, oH, oW, kH, kW, sH, sW, pT, pL } = g;
  let o = 0;
  for (let plane = 0; plane < g.planes; plane++) {
    const base = plane * h * w;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = Math.max(oh * sH - pT, 0);
      const h1 = Math.min(oh * sH - pT + kH, h);
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = Math.max(ow * sW - pL, 0);
        const w1 = Math.min(ow * sW - pL + kW, w);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * w;
          for (let iw = w0; iw < w1; iw++) s += x[row + iw];
        }
        y[o] = s / divisor(g, oh, ow);
      }
    }
  }
}

export const pool2DKernel: KernelFunc<Pool2DAttrs, CpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const g = geometry(x.shape, attrs);
  const outShape = [x.shape[0], x.shape[1], g.oH, g.oW];
  const size = g.planes * g.oH * g.oW;
  const y = backend.empty(x.dtype, size);
  const xv = backend.values(x);
  if (attrs.mode === 'avg') {
    average(xv, g, y);
    return backend.output(y, outShape, x.dtype);
  }
  const idx = backend.empty('int32', size) as Int32Array;
  if (xv instanceof Float32Array && y instanceof Float32Array) {
    if (!(isWhole2x2(g) && pool2x2InWasm(xv, attrs.mode === 'max', g, y, idx)))
      extremumFloat32(xv, attrs.mode === 'max', g, y, idx);
  } else extremum(xv, attrs.mode === 'max', g, y, idx);
  return [backend.output(y, outShape, x.dtype), backend.output(idx, outShape, 'int32')];
};

/**
 * Max/min: each output's gradient goes to its winner (overlapping windows add up). Avg: each
 * output's gradient is spread evenly over the real cells of its window, divided as forward did.
 */
export const pool2DBackwardKernel: KernelFunc<Pool2DBackwardAttrs, CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const dy = inputs[0];
  const g = geometry(attrs.inputShape, attrs);
  const { h, w, oH, oW } = g;
  const dyv = backend.values(dy);
  const dx = backend.alloc(dy.dtype, g.planes * h * w);
  if (attrs.mode !== 'avg') {
    const idx = backend.values(inputs[1]);
    if (dyv instanceof Float32Array && dx instanceof Float32Array && idx instanceof Int32Array) {
      if (scatterInWasm(dyv, idx, g, dx)) return backend.output(dx, attrs.inputShape, dy.dtype);
    }
    let o = 0;
    for (let plane = 0; plane < g.planes; plane++) {
      const base = plane * h * w;
      for (let k = 0; k < oH * oW; k++, o++) dx[base + idx[o]] += dyv[o];
    }
    return backend.output(dx, attrs.inputShape, dy.dtype);
  }
  const { kH, kW, sH, sW, pT, pL } = g;
  let o = 0;
  for (let plane = 0; plane < g.planes; plane++) {
    const base = plane * h * w;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = Math.max(oh * sH - pT, 0);
      const h1 = Math.min(oh * sH - pT + kH, h);
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = Math.max(ow * sW - pL, 0);
        const w1 = Math.min(ow * sW - pL + kW, w);
        const share = dyv[o] / divisor(g, oh, ow);
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * w;
          for (let iw = w0; iw < w1; iw++) dx[row + iw] += share;
        }
      }
    }
  }
  return backend.output(dx, attrs.inputShape, dy.dtype);
};

export const pool2DConfig = { kernelName: Pool2D, kernelFunc: pool2DKernel };
export const pool2DBackwardConfig = { kernelName: Pool2DBackward, kernelFunc: pool2DBackwardKernel };
