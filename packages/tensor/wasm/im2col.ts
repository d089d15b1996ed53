/**
 * im2col and col2im for float32 in WebAssembly (the JS versions, with the same layout and
 * comments, are in ../src/backends/cpu/conv_im2col.ts). conv2d's kernels build their column
 * matrix here, in the memory the GEMM reads it from, and scatter the input gradient back from
 * where the GEMM wrote it. Why: the rows are short (a few output columns each), and JS pays a
 * loop's setup per row; here a row is a couple of vector moves. Addresses are bytes; sizes,
 * offsets and `ld` (the distance between column-matrix rows) are elements.
 *
 * col2im adds in the same order as the JS one (kernel row by kernel row), each sum rounded to
 * float32 as a Float32Array store does: the same bits.
 */

/** First output column whose input column ow·s + off is ≥ 0. */
@inline
function lowCol(off: i32, stride: i32, outSize: i32): i32 {
  return off >= 0 ? 0 : min(outSize, (-off + stride - 1) / stride);
}

/** One past the last output column whose input column ow·s + off is < size. */
@inline
function highCol(off: i32, stride: i32, size: i32, outSize: i32, lo: i32): i32 {
  const limit = size - off;
  return max(lo, min(outSize, limit <= 0 ? 0 : (limit + stride - 1) / stride));
}

/** Copies n floats (unaligned, non-overlapping), four at a time. */
@inline
function copyRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** dst[i] += src[i] for n floats, four at a time. */
@inline
function addRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = dst + (<usize>i << 2);
    v128.store(at, f32x4.add(v128.load(at), v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const at = dst + (<usize>i << 2);
    store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>i << 2)));
  }
}

export function im2col(
  x: usize,
  cg: i32,
  h: i32,
  w: i32,
  kH: i32,
  kW: i32,
  oH: i32,
  oW: i32,
  sH: i32,
  sW: i32,
  pT: i32,
  pL: i32,
  dH: i32,
  dW: i32,
  cols: usize,
  ld: i32,
): void {
  const plane = h * w;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = x + (<usize>(c * plane) << 2);
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, row++) {
        const offW = kj * dW - pL;
        const lo = lowCol(offW, sW, oW);
        const hi = highCol(offW, sW, w, oW, lo);
        for (let oh = 0; oh < oH; oh++) {
          const dst = cols + (<usize>(row * ld + oh * oW) << 2);
          const ih = oh * sH + ki * dH - pT;
          if (ih < 0 || ih >= h) {
            memory.fill(dst, 0, <usize>oW << 2);
            continue;
          }
          const src = xc + (<usize>(ih * w + offW) << 2);
          for (let ow = 0; ow < lo; ow++) store<f32>(dst + (<usize>ow << 2), 0);
          if (sW === 1) copyRow(dst + (<usize>lo << 2), src + (<usize>lo << 2), hi - lo);
          else {
            for (let ow = lo; ow < hi; ow++) {
              store<f32>(dst + (<usize>ow << 2), load<f32>(src + (<usize>(ow * sW) << 2)));
            }
          }
          for (let ow = hi; ow < oW; ow++) store<f32>(dst + (<usize>ow << 2), 0);
        }
      }
    }
  }
}

export function col2im(
  cols: usize,
  cg: i32,
  h: i32,
  w: i32,
  kH: i32,
  kW: i32,
  oH: i32,
  oW: i32,
  sH: i32,
  sW: i32,
  pT: i32,
  pL: i32,
  dH: i32,
  dW: i32,
  dx: usize,
  ld: i32,
): void {
  const plane = h * w;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = dx + (<usize>(c * plane) << 2);
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, row++) {
        const offW = kj * dW - pL;
        const lo = lowCol(offW, sW, oW);
        const hi = highCol(offW, sW, w, oW, lo);
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH + ki * dH - pT;
          if (ih < 0 || ih >= h) continue;
          const src = cols + (<usize>(row * ld + oh * oW) << 2);
          const dst = xc + (<usize>(ih * w + offW) << 2);
          if (sW === 1) addRow(dst + (<usize>lo << 2), src + (<usize>lo << 2), hi - lo);
          else {
            for (let ow = lo; ow < hi; ow++) {
              const at = dst + (<usize>(ow * sW) << 2);
              store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>ow << 2)));
            }
          }
        }
      }
    }
  }
}
