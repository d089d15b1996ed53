/**
 * Image grids, as torchvision's `make_grid` + `save_image`: a batch of images [N, C, H, W] (C = 1
 * or 3, values in [0, 1]) laid out in rows, written as PNG and SVG. The examples show what a model
 * made with it: VAE samples, reconstructions and latent manifolds, GAN samples per epoch, rows of
 * noisy / denoised / clean digits. The raster is a plain function of the values (`imageGrid`), so
 * it is tested without files; the SVG embeds the same PNG, drawn pixelated, so both look alike.
 */
import {
  checkNonNegativeInt,
  checkNumber,
  checkOptions,
  checkPositiveInt,
  checkTensor,
  describeValue,
  fmtShape,
  ShapeError,
  type Tensor,
  ValueError,
} from '@axon/tensor';
import { textWidth } from './font';
import { encodePng } from './png';
import { type RgbImage, rasterize } from './raster';
import type { Prim } from './scene';

export interface ImageGridOptions {
  /** Images per row (default 8, as torchvision's make_grid; N when there are fewer). */
  nrow?: number;
  /** Pixels between the images and around the grid, in output pixels (default 2). */
  padding?: number;
  /** Each image pixel becomes scale × scale output pixels (an integer; default 1). */
  scale?: number;
  /** Gray level in [0, 1] of the padding and the label margin (default 1: white). */
  padValue?: number;
  /**
   * Values are clipped to [0, 1] (default). true: first map the whole batch's [min, max] to [0, 1];
   * 'each': each image's own [min, max].
   */
  normalize?: boolean | 'each';
  /** One label per row, drawn left of it in the built-in font (e.g. 'noisy', 'denoised', 'clean'). */
  labels?: string[];
}

/** The images' values, flat row-major, with their shape [N, C, H, W]: what imageGrid draws. */
interface Images {
  values: ArrayLike<number>;
  shape: readonly [number, number, number, number];
}

/**
 * The grid as an RGB raster (8 bits a channel, row-major): the images left to right, top to
 * bottom, `nrow` to a row. `images` is a [N, C, H, W] tensor with C = 1 (gray) or 3 (RGB).
 */
export function imageGrid(images: Tensor, options: ImageGridOptions = {}): RgbImage {
  const shape = checkImages('imageGrid', images);
  return drawGrid('imageGrid', { values: images.dataSync(), shape }, options);
}

/**
 * Writes the grid to `<path>.png` and `<path>.svg` (the SVG embeds the PNG, drawn pixelated, so it
 * scales without blurring) and returns both paths. Parent folders are created. The values are read
 * with one async `data()`.
 */
export async function writeImageGrid(
  path: string,
  images: Tensor,
  options: ImageGridOptions = {},
): Promise<{ png: string; svg: string }> {
  if (typeof path !== 'string' || !path) {
    throw new ValueError(
      `writeImageGrid: expected path to be a file path without extension, got ${describeValue(path)}`,
    );
  }
  const shape = checkImages('writeImageGrid', images);
  checkGridOptions('writeImageGrid', shape[0], options);
  const img = drawGrid('writeImageGrid', { values: await images.data(), shape }, options);
  const [{ mkdir, writeFile }, { dirname }, { deflateSync }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('node:zlib'),
  ]);
  const bytes = encodePng(img, (d) => deflateSync(d, { level: 9 }));
  const png = `${path}.png`;
  const svg = `${path}.svg`;
  await mkdir(dirname(png), { recursive: true });
  await writeFile(png, bytes);
  await writeFile(svg, pngAsSvg(bytes, img.width, img.height));
  return { png, svg };
}

/** An SVG document showing PNG `bytes` (width × height pixels) unsmoothed. */
export function pngAsSvg(bytes: Uint8Array, width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<image width="${width}" height="${height}" style="image-rendering:pixelated" href="data:image/png;base64,${base64(bytes)}"/>
</svg>
`;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(s);
}

function checkImages(op: string, images: Tensor): [number, number, number, number] {
  checkTensor(op, 'images', images);
  const s = images.shape;
  if (s.length !== 4 || (s[1] !== 1 && s[1] !== 3) || s[0] < 1 || s[2] < 1 || s[3] < 1) {
    throw new ShapeError(
      `${op}: expected images [N, C, H, W] with C = 1 or 3 and N, H, W >= 1, got shape ${fmtShape(s)}`,
    );
  }
  return [s[0], s[1], s[2], s[3]];
}

interface GridLayout {
  nrow: number;
  rows: number;
  padding: number;
  scale: number;
  padValue: number;
  normalize: false | true | 'each';
  labels: string[] | undefined;
}

function checkGridOptions(op: string, n: number, options: ImageGridOptions): GridLayout {
  const o = checkOptions(op, options) as ImageGridOptions;
  const nrow = Math.min(n, checkPositiveInt(op, 'nrow', o.nrow ?? 8));
  const rows = Math.ceil(n / nrow);
  const normalize = o.normalize ?? false;
  if (normalize !== true && normalize !== false && normalize !== 'each') {
    throw new ValueError(
      `${op}: expected normalize to be true, false or 'each', got ${describeValue(normalize)}`,
    );
  }
  const labels = o.labels;
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
      throw new ValueError(`${op}: expected labels to be an array of strings, got ${describeValue(labels)}`);
    }
    if (labels.length !== rows) {
      throw new ValueError(
        `${op}: expected one label per row (${rows} rows of ${nrow}), got ${labels.length} labels`,
      );
    }
  }
  return {
    nrow,
    rows,
    padding: checkNonNegativeInt(op, 'padding', o.padding ?? 2),
    scale: checkPositiveInt(op, 'scale', o.scale ?? 1),
    padValue: checkNumber(op, 'padValue', o.padValue ?? 1, { min: 0, max: 1 }),
    normalize,
    labels,
  };
}

function drawGrid(op: string, images: Images, options: ImageGridOptions): RgbImage {
  const [n, c, h, w] = images.shape;
  const g = checkGridOptions(op, n, options);
  const cellW = w * g.scale;
  const cellH = h * g.scale;
  const fontScale = cellH >= 32 ? 2 : 1;
  const labelWidth = g.labels
    ? Math.max(...g.labels.map((l) => textWidth(l, fontScale))) + 2 * g.padding + 4 * fontScale
    : 0;
  const width = labelWidth + g.nrow * cellW + (g.nrow + 1) * g.padding;
  const height = g.rows * cellH + (g.rows + 1) * g.padding;
  const level = Math.round(g.padValue * 255);
  const hex = `#${level.toString(16).padStart(2, '0').repeat(3)}`;
  const items: Prim[] = (g.labels ?? []).map((text, r) => ({
    kind: 'text',
    x: g.padding + 2 * fontScale,
    y: g.padding + r * (cellH + g.padding) + cellH / 2,
    text,
    scale: fontScale,
    color: g.padValue >= 0.5 ? '#000000' : '#ffffff',
    anchor: 'start',
    valign: 'middle',
  }));
  const img = rasterize({ width, height, background: hex, items });
  const { values } = images;
  const per = c * h * w;
  const whole = g.normalize === true ? range(values, 0, n * per) : undefined;
  for (let i = 0; i < n; i++) {
    const [lo, hi] = whole ?? range(values, i * per, per);
    const map = g.normalize === false ? (v: number) => v : (v: number) => (v - lo) / Math.max(hi - lo, 1e-12);
    const x0 = labelWidth + g.padding + (i % g.nrow) * (cellW + g.padding);
    const y0 = g.padding + Math.floor(i / g.nrow) * (cellH + g.padding);
    for (let y = 0; y < cellH; y++) {
      const sy = Math.floor(y / g.scale);
      for (let x = 0; x < cellW; x++) {
        const sx = Math.floor(x / g.scale);
        const at = ((y0 + y) * width + x0 + x) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const v = map(values[i * per + (c === 1 ? 0 : ch) * h * w + sy * w + sx]);
          img.data[at + ch] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
        }
      }
    }
  }
  return img;
}

/** The finite [min, max] of `count` values from `start` ([0, 1] when there are none). */
function range(values: ArrayLike<number>, start: number, count: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = start; i < start + count; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
