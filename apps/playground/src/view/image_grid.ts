/**
 * Image grids in the page (reconstructions, VAE samples): @axon/plot's `imageGrid` lays out and
 * rasterizes the images (the raster the CLI's PNG files embed); here it goes on a canvas.
 */

import { imageGrid } from '@axon/plot';
import type { Tensor } from '@axon/tensor';

/** Draws images [N, 1, H, W] in [0, 1], `perRow` to a row, each pixel `scale`× larger. */
export function drawImageGrid(canvas: HTMLCanvasElement, images: Tensor, perRow: number, scale = 3): void {
  const rgb = imageGrid(images, { nrow: perRow, scale, padding: 2 });
  canvas.width = rgb.width;
  canvas.height = rgb.height;
  const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
  for (let i = 0, n = rgb.width * rgb.height; i < n; i++) {
    rgba[4 * i] = rgb.data[3 * i];
    rgba[4 * i + 1] = rgb.data[3 * i + 1];
    rgba[4 * i + 2] = rgb.data[3 * i + 2];
    rgba[4 * i + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(new ImageData(rgba, rgb.width, rgb.height), 0, 0);
}
