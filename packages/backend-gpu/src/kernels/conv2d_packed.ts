/**
 * Convolutions in the GL modes as packed matrix products (packed_product.ts), tfjs-webgl's route:
 * the patches a filter meets (im2col) are packed straight from the image, so the product reads
 * four values per fetch where the direct kernels (conv2d.ts) read one. Per group g and image n,
 * with K = cg·kH·kW taps (ci, kh, kw) and P = oH·oW output pixels:
 *
 * - forward:         y[n, g·og + o, p]  = Σ_K w[g·og + o, K] · patch[n, g, p, K]
 * - filter gradient: dw[g·og + o, K]    = Σ_(n,p) dy[n, g·og + o, p] · patch[n, g, p, K]
 * - input gradient:  dpatch[n, g, p, K] = Σ_o dy[n, g·og + o, p] · w[g·og + o, K], then each
 *                    dx[n, c, h, w] gathers the dpatch entries of the taps that met it (col2im).
 *
 * Each returns null where a packed texture (or dpatch, a tensor) would not fit the device, and
 * the direct kernel runs instead.
 */
import type { ConvGeometry, TensorInfo } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, LOOP_LIMIT, lit } from '../codegen';
import { type PackReader, pack, stridedReader, texelsPerRow } from '../packed';
import { productOfPacks } from '../packed_product';
import { tapsThatMet } from './conv_taps';

const L = lit;
const even = (x: number) => 2 * Math.ceil(x / 2);

/** Statements that split output pixel `pos` into (oh, ow) and the input pixel (h0, w0) of its first tap. */
function pixelCode(g: ConvGeometry, pos: string, s: string): string {
  return [
    `const oh${s} = Math.floor((${pos} + 0.5) / ${L(g.oW)});`,
    `const h0${s} = oh${s} * ${L(g.sH)} - ${L(g.pT)};`,
    `const w0${s} = (${pos} - oh${s} * ${L(g.oW)}) * ${L(g.sW)} - ${L(g.pL)};`,
  ].join('\n');
}

/** Statements that split tap `tap` (of K) into its channel ci and its offsets (dh, dw) in the image. */
function tapCode(g: ConvGeometry, tap: string, s: string): string {
  return [
    `const ci${s} = Math.floor((${tap} + 0.5) / ${L(g.kH * g.kW)});`,
    `const kk${s} = ${tap} - ci${s} * ${L(g.kH * g.kW)};`,
    `const kh${s} = Math.floor((kk${s} + 0.5) / ${L(g.kW)});`,
    `const dh${s} = kh${s} * ${L(g.dH)};`,
    `const dw${s} = (kk${s} - kh${s} * ${L(g.kW)}) * ${L(g.dW)};`,
  ].join('\n');
}

/** Statements that set `target` to x at the pixel (`ps`) and tap (`ts`) named, or leave it 0 in padding. */
function imageRead(g: ConvGeometry, image: string, ps: string, ts: string, target: string): string {
  const s = `${ps}${ts}`;
  return [
    `const ih${s} = h0${ps} + dh${ts};`,
    `const iw${s} = w0${ps} + dw${ts};`,
    `if (ih${s} >= 0.0 && ih${s} < ${L(g.h)} && iw${s} >= 0.0 && iw${s} < ${L(g.w)}) {`,
    `  ${target} = x[${image} + ci${ts} * ${L(g.h * g.w)} + ih${s} * ${L(g.w)} + iw${s}];`,
    '}',
  ].join('\n');
}

/** The patches of image n, group g as rows (n, g, p) of K taps. */
function patchRows(g: ConvGeometry): PackReader {
  return {
    cols: g.k,
    row: `${indexCode([g.n, g.groups, even(g.p)], {}, 'row')}
const image = c0 * ${L(g.c * g.h * g.w)} + c1 * ${L(g.cg * g.h * g.w)};
${pixelCode(g, 'c2', '')}`,
    rowValid: g.p % 2 === 1 ? `c2 < ${L(g.p)}` : undefined,
    read: (col, target) => `${tapCode(g, col, target)}\n${imageRead(g, 'image', '', target, target)}`,
    params: ['x'],
  };
}

/** The patches of group g transposed: rows (g, tap) over the columns (n, p). */
function patchColumns(g: ConvGeometry): PackReader {
  return {
    cols: g.n * g.p,
    row: `${indexCode([g.groups, even(g.k)], {}, 'row')}
const group = c0 * ${L(g.cg * g.h * g.w)};
${tapCode(g, 'c1', '')}`,
    rowValid: g.k % 2 === 1 ? `c1 < ${L(g.k)}` : undefined,
    read: (col, target) =>
      [
        `const n${target} = Math.floor((${col} + 0.5) / ${L(g.p)});`,
        pixelCode(g, `(${col} - n${target} * ${L(g.p)})`, target),
        imageRead(g, `group + n${target} * ${L(g.c * g.h * g.w)}`, target, '', target),
      ].join('\n'),
    params: ['x'],
  };
}

/** y = conv2d(x, w) as w · patchesᵀ per image and group. */
export function packedConv2D(
  backend: GpuBackend,
  x: TensorInfo,
  w: TensorInfo,
  g: ConvGeometry,
): TensorInfo | null {
  const pw = pack(
    backend,
    stridedReader({
      batch: [g.groups],
      batchStrides: [g.og * g.k],
      rows: g.og,
      paddedRows: even(g.og),
      cols: g.k,
      rowStride: g.k,
      colStride: 1,
    }),
    g.groups * even(g.og),
    [w],
  );
  const px = pw && pack(backend, patchRows(g), g.n * g.groups * even(g.p), [x]);
  const c = productOfPacks(
    backend,
    [pw, px],
    {
      batchShape: [g.n, g.groups],
      aEntryStrides: [0, 1],
      bEntryStrides: [g.groups, 1],
      m: even(g.og),
      n: even(g.p),
    },
    g.k,
  );
  if (!c) return null;
  return backend.fromBlocks(c, g.og, g.p, [g.n, g.o, g.oH, g.oW], x.dtype);
}

/** dw = dy · patches per group, summed over images and pixels. */
export function packedConv2DFilterGrad(
  backend: GpuBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  filterShape: readonly number[],
): TensorInfo | null {
  if (texelsPerRow(g.n * g.p) > LOOP_LIMIT) return null; // the product's k loop is one loop
  const dyRows: PackReader = {
    cols: g.n * g.p,
    row: `${indexCode([g.groups, even(g.og)], {}, 'row')}
const channel = (c0 * ${L(g.og)} + c1) * ${L(g.p)};`,
    rowValid: g.og % 2 === 1 ? `c1 < ${L(g.og)}` : undefined,
    read: (col, target) =>
      [
        `const n${target} = Math.floor((${col} + 0.5) / ${L(g.p)});`,
        `${target} = dy[channel + n${target} * ${L(g.o * g.p - g.p)} + ${col}];`,
      ].join('\n'),
    params: ['dy'],
  };
  const pd = pack(backend, dyRows, g.groups * even(g.og), [dy]);
  const px = pd && pack(backend, patchColumns(g), g.groups * even(g.k), [x]);
  const c = productOfPacks(
    backend,
    [pd, px],
    { batchShape: [g.groups], aEntryStrides: [1], bEntryStrides: [1], m: even(g.og), n: even(g.k) },
    g.n * g.p,
  );
  if (!c) return null;
  return backend.fromBlocks(c, g.og, g.k, filterShape, x.dtype);
}

/** dx: dpatch = dyᵀ · w per image and group, then col2im (a gather of the taps that met each pixel). */
export function packedConv2DInputGrad(
  backend: GpuBackend,
  dy: TensorInfo,
  w: TensorInfo,
  g: ConvGeometry,
  inputShape: readonly number[],
): TensorInfo | null {
  const dpatchShape = [g.n, g.groups, g.p, g.k];
  if (g.n * g.groups * g.p * g.k > 2 ** 24) return null; // dpatch is a tensor: the backend's size limit
  const pd = pack(
    backend,
    stridedReader({
      batch: [g.n, g.groups],
      batchStrides: [g.o * g.p, g.og * g.p],
      rows: g.p,
      paddedRows: even(g.p),
      cols: g.og,
      rowStride: 1,
      colStride: g.p,
    }),
    g.n * g.groups * even(g.p),
    [dy],
  );
  const pw =
    pd &&
    pack(
      backend,
      stridedReader({
        batch: [g.groups],
        batchStrides: [g.og * g.k],
        rows: g.k,
        paddedRows: even(g.k),
        cols: g.og,
        rowStride: 1,
        colStride: g.k,
      }),
      g.groups * even(g.k),
      [w],
    );
  const c = productOfPacks(
    backend,
    [pd, pw],
    {
      batchShape: [g.n, g.groups],
      aEntryStrides: [g.groups, 1],
      bEntryStrides: [0, 1],
      m: even(g.p),
      n: even(g.k),
    },
    g.og,
  );
  if (!c) return null;
  const dpatch = backend.fromBlocks(c, g.p, g.k, dpatchShape, dy.dtype);
  // dx[n, c, h, w]: tap (kh, kw) of output pixel (oh, ow) met it where h + pT − kh·dH = oh·sH.
  const body = `${indexCode([g.n, g.c, g.h, g.w])}
  const grp = Math.floor((c1 + 0.5) / ${L(g.cg)});
  const ci = c1 - grp * ${L(g.cg)};
  const base = (c0 * ${L(g.groups)} + grp) * ${L(g.p * g.k)} + ci * ${L(g.kH * g.kW)};
  let acc = 0.0;
  ${tapsThatMet(g, `acc += dpatch[base + (oh * ${L(g.oW)} + ow) * ${L(g.k)} + kh * ${L(g.kW)} + kw];`)}
  return acc;`;
  try {
    return backend.run(
      { source: kernelSource(['dpatch'], body), loopMax: Math.max(g.kH, g.kW) },
      [dpatch],
      inputShape,
      dy.dtype,
    );
  } finally {
    backend.disposeData(dpatch.dataId);
  }
}
