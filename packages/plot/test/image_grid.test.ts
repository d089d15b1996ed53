/**
 * Image grids: layout, scaling, padding, clipping and normalisation, labels, and the SVG and PNG
 * files (the PNG decoded back with fast-png, to check its pixels against the raster).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShapeError, tensor, ValueError } from '@axon/tensor';
import { expectError } from '@axon/testing';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageGrid, imageGridSvg, type RgbImage, writeImageGrid } from '../src';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'axon-grid-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A PNG's pixels as RGB (resvg writes RGBA; fast-png decodes either). */
function decodeRgb(png: Uint8Array): RgbImage {
  const img = decode(png);
  const ch = img.channels;
  const data = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++)
    for (let c = 0; c < 3; c++) data[i * 3 + c] = img.data[i * ch + c];
  return { width: img.width, height: img.height, data };
}

function pixel(img: RgbImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [...img.data.subarray(i, i + 3)];
}

describe('imageGrid', () => {
  it('lays out gray images nrow to a row, scaled, with padding of padValue', () => {
    // Three 2×2 gray images: image k's pixel (r, c) is (4k + 2r + c) / 11.
    const values = Array.from({ length: 12 }, (_, i) => i / 11);
    const images = tensor(values, { shape: [3, 1, 2, 2] });
    const img = imageGrid(images, { nrow: 2, padding: 1, scale: 2, padValue: 0.5 });
    expect([img.width, img.height]).toEqual([2 * 4 + 3, 2 * 4 + 3]);
    const gray = (v: number) => [v, v, v].map((c) => Math.round(c * 255));
    expect(pixel(img, 0, 0)).toEqual(gray(0.5)); // padding
    expect(pixel(img, 1, 1)).toEqual(gray(0)); // image 0, (0, 0)
    expect(pixel(img, 2, 2)).toEqual(gray(0)); // the same image pixel, scaled 2×
    expect(pixel(img, 3, 1)).toEqual(gray(1 / 11)); // image 0, (0, 1)
    expect(pixel(img, 1, 3)).toEqual(gray(2 / 11)); // image 0, (1, 0)
    expect(pixel(img, 5, 1)).toEqual(gray(0.5)); // padding between columns
    expect(pixel(img, 6, 1)).toEqual(gray(4 / 11)); // image 1, (0, 0)
    expect(pixel(img, 1, 6)).toEqual(gray(8 / 11)); // image 2 starts the second row
    expect(pixel(img, 8, 8)).toEqual(gray(0.5)); // the empty cell
    images.dispose();
  });

  it('maps RGB channels, clips to [0, 1], and normalises over the batch or each image', () => {
    const rgb = tensor([1, 0, 0.5, 2, -1, 0.25], { shape: [2, 3, 1, 1] });
    const img = imageGrid(rgb, { padding: 0 });
    expect(pixel(img, 0, 0)).toEqual([255, 0, 128]);
    expect(pixel(img, 1, 0)).toEqual([255, 0, 64]);
    const wide = tensor([-2, 0, 2, 4], { shape: [2, 1, 1, 2] });
    const all = imageGrid(wide, { padding: 0, normalize: true });
    expect([0, 1, 2, 3].map((x) => pixel(all, x, 0)[0])).toEqual([0, 85, 170, 255]);
    const each = imageGrid(wide, { padding: 0, normalize: 'each' });
    expect([0, 1, 2, 3].map((x) => pixel(each, x, 0)[0])).toEqual([0, 255, 0, 255]);
    rgb.dispose();
    wide.dispose();
  });

  it('keeps a margin on the left for row labels, drawn as text in the SVG and PNG', async () => {
    const images = tensor(new Array(4 * 16).fill(1), { shape: [4, 1, 4, 4] });
    const plain = imageGrid(images, { nrow: 2, padding: 1 });
    const options = { nrow: 2, padding: 1, padValue: 0, labels: ['noisy', 'clean'] };
    const labelled = imageGrid(images, options);
    expect(labelled.height).toBe(plain.height);
    expect(labelled.width).toBeGreaterThan(plain.width + 5 * 6);
    const margin = labelled.width - plain.width;
    // The raster's margin is the padding colour; the images sit right of it.
    expect(pixel(labelled, 1, 1)).toEqual([0, 0, 0]);
    expect(pixel(labelled, margin + 1, 1)).toEqual([255, 255, 255]);
    const svg = await imageGridSvg(images, options);
    expect(svg).toContain('>noisy</text>');
    expect(svg).toContain('>clean</text>');
    expect(svg).toContain('fill="#ffffff"'); // white text on the black margin
    const files = await writeImageGrid(join(dir, 'labelled'), images, options);
    const png = decodeRgb(new Uint8Array(await readFile(files.png)));
    let lit = 0;
    for (let y = 0; y < png.height; y++)
      for (let x = 0; x < margin; x++) lit += pixel(png, x, y)[0] > 64 ? 1 : 0;
    expect(lit).toBeGreaterThan(20); // the labels were drawn (the bundled font was found)
    images.dispose();
  });

  it('writes <path>.svg and <path>.png that show the same raster', async () => {
    const images = tensor(
      Array.from({ length: 5 * 3 * 6 * 6 }, (_, i) => (i % 7) / 6),
      { shape: [5, 3, 6, 6] },
    );
    const path = join(dir, 'sub', 'samples');
    const files = await writeImageGrid(path, images, { nrow: 3, scale: 3 });
    expect(files).toEqual({ svg: `${path}.svg`, png: `${path}.png` });
    const decoded = decodeRgb(new Uint8Array(await readFile(files.png)));
    const expected = imageGrid(images, { nrow: 3, scale: 3 });
    expect([decoded.width, decoded.height]).toEqual([expected.width, expected.height]);
    expect(Buffer.from(decoded.data).equals(Buffer.from(expected.data))).toBe(true);
    const svg = await readFile(files.svg, 'utf8');
    expect(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" width="${expected.width}"`)).toBe(true);
    const uri = /href="data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(svg);
    expect(uri).not.toBeNull();
    const embedded = decodeRgb(new Uint8Array(Buffer.from(uri?.[1] ?? '', 'base64')));
    expect(Buffer.from(embedded.data).equals(Buffer.from(expected.data))).toBe(true);
    expect(svg).toContain('image-rendering:pixelated');
    images.dispose();
  });

  it('throws clear errors', async () => {
    const gray = tensor(new Array(8).fill(0), { shape: [2, 1, 2, 2] });
    const flat = tensor(new Array(8).fill(0), { shape: [2, 2, 2] });
    const twoChannels = tensor(new Array(8).fill(0), { shape: [1, 2, 2, 2] });
    expectError(
      () => imageGrid(flat),
      ShapeError,
      'imageGrid',
      'expected images [N, C, H, W] with C = 1 or 3',
      'got shape [2, 2, 2]',
    );
    expectError(() => imageGrid(twoChannels), ShapeError, 'imageGrid', 'got shape [1, 2, 2, 2]');
    expectError(() => imageGrid([1, 2] as never), ValueError, 'imageGrid', 'expected images to be a Tensor');
    expectError(
      () => imageGrid(gray, { scale: 0 }),
      ValueError,
      'imageGrid',
      'expected scale to be a positive integer, got number 0',
    );
    expectError(() => imageGrid(gray, { padding: -1 }), ValueError, 'imageGrid', 'padding', 'got number -1');
    expectError(() => imageGrid(gray, { padValue: 2 }), ValueError, 'imageGrid', 'padValue', 'in [0, 1]');
    expectError(
      () => imageGrid(gray, { normalize: 'all' as never }),
      ValueError,
      'imageGrid',
      "true, false or 'each'",
    );
    expectError(
      () => imageGrid(gray, { nrow: 1, labels: ['a'] }),
      ValueError,
      'imageGrid',
      'one label per row (2 rows of 1), got 1 labels',
    );
    await expect(writeImageGrid('', gray)).rejects.toThrow(
      'writeImageGrid: expected path to be a file path without extension',
    );
    await expect(writeImageGrid(join(dir, 'x'), flat)).rejects.toThrow(ShapeError);
    for (const t of [gray, flat, twoChannels]) t.dispose();
  });
});
