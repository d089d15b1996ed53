/**
 * Image grids, as torchvision's `make_grid` + `save_image`: a batch of images [N, C, H, W] (C = 1
 * or 3, values in [0, 1]) laid out in rows, written as SVG and PNG. The examples show what a model
 * made with it: VAE samples, reconstructions and latent manifolds, GAN samples per epoch, rows of
 * noisy / denoised / clean digits. The raster is a plain function of the values (`imageGrid`, also
 * drawn on a canvas by the playground), so it is tested without files; the SVG embeds it as a PNG,
 * drawn unsmoothed, with the row labels as text, and the PNG file is that SVG rendered.
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
import { type FigureFiles, writeFigure } from './figure';
import type { Prim, Scene } from './scene';
import { sceneToSvg } from './svg';
import { textWidth } from './text';

/** An RGB image, 8 bits a channel, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

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
  /**
   * One label per row, drawn left of it (e.g. 'noisy', 'denoised', 'clean'): as text in the SVG and
   * PNG; `imageGrid`'s raster keeps the margin for them, in the padding colour.
   */
  labels?: string[];
}

/** The images' values, flat row-major, with their shape [N, C, H, W]: what imageGrid draws. */
interface Images {
  values: ArrayLike<number>;
  shape: readonly [number, number, number, number];
}

/**
 * The grid as an RGB raster (8 bits a channel, row-major): the images left to right, top to
 * bottom, `nrow` to a row. `images` is a [N, C, H, W] tensor with C = 1 (gray) or 3 (RGB). With
 * `labels`, the margin on the left is left in the padding colour (the text is drawn by the SVG).
 */
export function imageGrid(images: Tensor, options: ImageGridOptions = {}): RgbImage {
  const shape = checkImages('imageGrid', images);
  const layout = checkGridOptions('imageGrid', shape, options);
  return drawGrid({ values: images.dataSync(), shape }, layout);
}

/**
 * The grid as an SVG document: the raster embedded as a PNG (drawn unsmoothed, so it scales
 * without blurring) and the row labels as text. The values are read with one async `data()`.
 */
export async function imageGridSvg(images: Tensor, options: ImageGridOptions = {}): Promise<string> {
  return gridSvg('imageGridSvg', images, options);
}

/**
 * Writes the grid to `<path>.svg` (see `imageGridSvg`) and `<path>.png` (that SVG rendered) and
 * returns both paths. Parent folders are created.
 */
export async function writeImageGrid(
  path: string,
  images: Tensor,
  options: ImageGridOptions = {},
): Promise<FigureFiles> {
  return writeFigure(path, await gridSvg('writeImageGrid', images, options), 'writeImageGrid');
}

async function gridSvg(op: string, images: Tensor, options: ImageGridOptions): Promise<string> {
  const shape = checkImages(op, images);
  const layout = checkGridOptions(op, shape, options);
  const img = drawGrid({ values: await images.data(), shape }, layout);
  const { encode } = await import('fast-png');
  const png = encode({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
  const items: Prim[] = [{ kind: 'image', x: 0, y: 0, width: img.width, height: img.height, png }];
  (layout.labels ?? []).forEach((text, r) => {
    items.push({
      kind: 'text',
      x: layout.padding + 0.2 * layout.fontSize,
      y: layout.padding + r * (layout.cellH + layout.padding) + layout.cellH / 2,
      text,
      size: layout.fontSize,
      color: layout.padValue >= 0.5 ? '#000000' : '#ffffff',
      anchor: 'start',
      valign: 'middle',
    });
  });
  const scene: Scene = { width: img.width, height: img.height, background: layout.padHex, items };
  return sceneToSvg(scene);
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

/** The checked options and the sizes they give, shared by the raster and the SVG. */
interface GridLayout {
  nrow: number;
  rows: number;
  padding: number;
  scale: number;
  padValue: number;
  /** The padding colour as #rrggbb. */
  padHex: string;
  normalize: false | true | 'each';
  labels: string[] | undefined;
  /** The label font size in pixels. */
  fontSize: number;
  /** The width of the label margin (0 without labels). */
  labelWidth: number;
  cellW: number;
  cellH: number;
  width: number;
  height: number;
}

function checkGridOptions(
  op: string,
  shape: readonly [number, number, number, number],
  options: ImageGridOptions,
): GridLayout {
  const [n, , h, w] = shape;
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
  const padding = checkNonNegativeInt(op, 'padding', o.padding ?? 2);
  const scale = checkPositiveInt(op, 'scale', o.scale ?? 1);
  const padValue = checkNumber(op, 'padValue', o.padValue ?? 1, { min: 0, max: 1 });
  const cellW = w * scale;
  const cellH = h * scale;
  const fontSize = cellH >= 32 ? 20 : 10;
  const labelWidth = labels
    ? Math.ceil(Math.max(...labels.map((l) => textWidth(l, fontSize))) + 2 * padding + 0.4 * fontSize)
    : 0;
  const level = Math.round(padValue * 255);
  return {
    nrow,
    rows,
    padding,
    scale,
    padValue,
    padHex: `#${level.toString(16).padStart(2, '0').repeat(3)}`,
    normalize,
    labels,
    fontSize,
    labelWidth,
    cellW,
    cellH,
    width: labelWidth + nrow * cellW + (nrow + 1) * padding,
    height: rows * cellH + (rows + 1) * padding,
  };
}

function drawGrid(images: Images, g: GridLayout): RgbImage {
  const [n, c, h, w] = images.shape;
  const { width, height, cellW, cellH, labelWidth } = g;
  const img: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  img.data.fill(Math.round(g.padValue * 255));
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
