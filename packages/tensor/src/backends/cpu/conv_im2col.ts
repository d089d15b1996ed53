import type { TypedArray } from '../../dtype';
import type { ConvGeometry } from '../../kernel_geometry';

/**
 * The range [lo, hi) of output columns whose input column ow * s + off lies inside [0, size).
 * Computing it once per kernel column keeps the bounds test out of the inner loops.
 */
function validRange(off: number, stride: number, size: number, outSize: number): [number, number] {
  const lo = off >= 0 ? 0 : Math.min(outSize, Math.ceil(-off / stride));
  const hi = Math.max(lo, Math.min(outSize, Math.ceil((size - off) / stride)));
  return [lo, hi];
}

/**
 * Unfolds the `cg` channels of one image that start at `xOff` into a column matrix of K rows
 * and P = oH·oW columns, stored from `colOff` with rows `ld` apart (ld = P for one image; a
 * batch of images side by side uses ld = images·P): row (c, ki, kj), column (oh, ow) holds the
 * input pixel that weight (c, ki, kj) meets when producing output pixel (oh, ow), or 0 where that
 * pixel is padding. Every element of the block is written, so a buffer can be reused without clearing.
 */
export function im2col(
  x: TypedArray,
  xOff: number,
  g: ConvGeometry,
  cols: TypedArray,
  colOff = 0,
  ld = g.p,
): void {
  const { cg, h, w, kH, kW, oH, oW, sH, sW, pT, pL, dH, dW } = g;
  const plane = h * w;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = xOff + c * plane;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, row++) {
        const offW = kj * dW - pL;
        const [lo, hi] = validRange(offW, sW, w, oW);
        for (let oh = 0; oh < oH; oh++) {
          const dst = colOff + row * ld + oh * oW;
          const ih = oh * sH + ki * dH - pT;
          if (ih < 0 || ih >= h) {
            cols.fill(0, dst, dst + oW);
            continue;
          }
          const src = xc + ih * w + offW;
          for (let ow = 0; ow < lo; ow++) cols[dst + ow] = 0;
          if (sW === 1) {
            for (let ow = lo; ow < hi; ow++) cols[dst + ow] = x[src + ow];
          } else {
            for (let ow = lo; ow < hi; ow++) cols[dst + ow] = x[src + ow * sW];
          }
          for (let ow = hi; ow < oW; ow++) cols[dst + ow] = 0;
        }
      }
    }
  }
}

/**
 * The adjoint of `im2col` (same block layout): adds each element of the column block back onto
 * the input pixel it was read from (padding cells are dropped). `dx` must hold the partial sums
 * already (zeros at first).
 */
export function col2im(
  cols: TypedArray,
  g: ConvGeometry,
  dx: TypedArray,
  dxOff: number,
  colOff = 0,
  ld = g.p,
): void {
  const { cg, h, w, kH, kW, oH, oW, sH, sW, pT, pL, dH, dW } = g;
  const plane = h * w;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = dxOff + c * plane;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, row++) {
        const offW = kj * dW - pL;
        const [lo, hi] = validRange(offW, sW, w, oW);
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH + ki * dH - pT;
          if (ih < 0 || ih >= h) continue;
          const src = colOff + row * ld + oh * oW;
          const dst = xc + ih * w + offW;
          if (sW === 1) {
            for (let ow = lo; ow < hi; ow++) dx[dst + ow] += cols[src + ow];
          } else {
            for (let ow = lo; ow < hi; ow++) dx[dst + ow * sW] += cols[src + ow];
          }
        }
      }
    }
  }
}
