/**
 * @axon/plot: figures of what a model did. Charts of a training history and image grids are laid
 * out as scenes (data), written as SVG (the source), and rendered to PNG by resvg with a bundled
 * font. SVG and rasters work in a browser; PNG rendering and file writing are Node only.
 */
export { type ChartOptions, type HistoryLike, historyChart } from './chart';
export { type FigureFiles, writeFigure } from './figure';
export { historyPng, historySvg, type PlotHistoryOptions, plotHistory } from './history';
export { type ImageGridOptions, imageGrid, imageGridSvg, type RgbImage, writeImageGrid } from './image_grid';
export { svgToPng } from './render';
export type { Point, Prim, Scene } from './scene';
export { escapeXml, sceneToSvg } from './svg';
export { textWidth } from './text';
export { formatTick, niceTicks } from './ticks';
