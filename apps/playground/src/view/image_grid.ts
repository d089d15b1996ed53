/**
 * Image grids in the page (reconstructions, VAE samples): @axon/train's `imageGrid` lays out and
 * rasterizes the images (as it does for the CLI's PNG files); here the RGB raster goes on a canvas.
 */
import type { Tensor } from '@axon/tensor';
import { imageGrid } from '@axon/train';

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
