/**
 * Training curves of a fit: the chart (chart.ts) as an SVG document, as PNG bytes rendered from that
 * document, or both written to files. A History from `@axon/train` is passed as data
 * (`{epoch?, history}`), so training and plotting stay separate packages.
 */
import { ValueError } from '@axon/tensor';
import { type ChartOptions, type HistoryLike, historyChart } from './chart';
import { type FigureFiles, writeFigure } from './figure';
import { svgToPng } from './render';
import { sceneToSvg } from './svg';

export interface PlotHistoryOptions extends ChartOptions {
  /** Output path without extension: writes `<path>.svg` and `<path>.png` (parent folders are created). */
  path: string;
}

/** Training curves as an SVG document. */
export function historySvg(history: HistoryLike, options: ChartOptions = {}): string {
  return sceneToSvg(historyChart(history, options));
}

/** Training curves as PNG bytes (the SVG document rendered by resvg; Node only). */
export function historyPng(history: HistoryLike, options: ChartOptions = {}): Promise<Uint8Array> {
  return svgToPng(historySvg(history, options));
}

/**
 * Writes the training curves of a fit (loss and val_loss in one panel, metrics in a second) to
 * `<path>.svg` and `<path>.png`, and returns both paths.
 */
export async function plotHistory(history: HistoryLike, options: PlotHistoryOptions): Promise<FigureFiles> {
  if (!options || typeof options.path !== 'string' || !options.path) {
    throw new ValueError('plotHistory: options.path (the output path without extension) is required');
  }
  return writeFigure(options.path, historySvg(history, options), 'plotHistory');
}
