import { ValueError } from '@axon/tensor';
import { type ChartOptions, type HistoryLike, historyChart } from './chart';
import { encodePng } from './png';
import { rasterize } from './raster';
import { sceneToSvg } from './svg';

export type { ChartOptions, HistoryLike } from './chart';
export { type ImageGridOptions, imageGrid, pngAsSvg, writeImageGrid } from './image_grid';
export { type Deflate, encodePng } from './png';
export { type RgbImage, rasterize } from './raster';
export type { Prim, Scene } from './scene';
export { sceneToSvg } from './svg';
export { historyChart };

export interface PlotHistoryOptions extends ChartOptions {
  /** Output path without extension: writes `<path>.svg` and `<path>.png` (parent folders are created). */
  path: string;
}

/** Training curves as an SVG document. */
export function historySvg(history: HistoryLike, options: ChartOptions = {}): string {
  return sceneToSvg(historyChart(history, options));
}

/** Training curves as PNG bytes (drawn with the built-in rasterizer and font; Node's zlib compresses). */
export async function historyPng(history: HistoryLike, options: ChartOptions = {}): Promise<Uint8Array> {
  const { deflateSync } = await import('node:zlib');
  return encodePng(rasterize(historyChart(history, options)), (d) => deflateSync(d, { level: 9 }));
}

/**
 * Writes the training curves of a fit (loss and val_loss in one panel, metrics in a second) to
 * `<path>.svg` and `<path>.png`, and returns both paths.
 */
export async function plotHistory(
  history: HistoryLike,
  options: PlotHistoryOptions,
): Promise<{ svg: string; png: string }> {
  if (!options || typeof options.path !== 'string' || !options.path) {
    throw new ValueError('plotHistory: options.path (the output path without extension) is required');
  }
  const scene = historyChart(history, options);
  const [{ mkdir, writeFile }, { dirname }, { deflateSync }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('node:zlib'),
  ]);
  const svg = `${options.path}.svg`;
  const png = `${options.path}.png`;
  await mkdir(dirname(svg), { recursive: true });
  await writeFile(svg, sceneToSvg(scene));
  await writeFile(
    png,
    encodePng(rasterize(scene), (d) => deflateSync(d, { level: 9 })),
  );
  return { svg, png };
}
