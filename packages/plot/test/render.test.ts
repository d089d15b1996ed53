/**
 * SVG to PNG: text is drawn with the bundled font whatever fonts the machine has (resvg draws no
 * text at all without one), the document's size is kept, and bad input gets a clear error.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@axon/tensor';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sceneToSvg, svgToPng, textWidth, writeFigure } from '../src';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'axon-render-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Columns of a decoded PNG that hold a dark pixel. */
function inkColumns(png: Uint8Array): number[] {
  const img = decode(png);
  const cols: number[] = [];
  for (let x = 0; x < img.width; x++) {
    for (let y = 0; y < img.height; y++) {
      const i = (y * img.width + x) * img.channels;
      if (img.data[i] < 100) {
        cols.push(x);
        break;
      }
    }
  }
  return cols;
}

describe('svgToPng', () => {
  it('draws text in the bundled font, as wide as textWidth says', async () => {
    const text = 'val_loss 0.25';
    const svg = sceneToSvg({
      width: 300,
      height: 40,
      background: '#ffffff',
      items: [
        { kind: 'text', x: 10, y: 20, text, size: 20, color: '#000000', anchor: 'start', valign: 'middle' },
      ],
    });
    const png = await svgToPng(svg);
    expect([decode(png).width, decode(png).height]).toEqual([300, 40]);
    const cols = inkColumns(png);
    expect(cols.length).toBeGreaterThan(50);
    // The ink spans the text's computed width (less the side bearings of the first and last glyph).
    const span = cols[cols.length - 1] - cols[0];
    expect(span).toBeGreaterThan(textWidth(text, 20) - 16);
    expect(span).toBeLessThanOrEqual(textWidth(text, 20));
  });

  it('rejects what is not an SVG document', async () => {
    await expect(svgToPng('plain text')).rejects.toThrow(ValueError);
    await expect(svgToPng(42 as never)).rejects.toThrow(
      "svgToPng: expected an SVG document (a string starting with '<'), got number 42",
    );
  });
});

describe('writeFigure', () => {
  it('writes the SVG source and its rendering', async () => {
    const svg = sceneToSvg({ width: 20, height: 10, background: '#ff0000', items: [] });
    const files = await writeFigure(join(dir, 'a', 'red'), svg);
    expect(files).toEqual({ svg: join(dir, 'a', 'red.svg'), png: join(dir, 'a', 'red.png') });
    expect(await readFile(files.svg, 'utf8')).toBe(svg);
    const img = decode(new Uint8Array(await readFile(files.png)));
    expect([img.width, img.height, img.data[0], img.data[1]]).toEqual([20, 10, 255, 0]);
    await expect(writeFigure('', svg)).rejects.toThrow(
      'writeFigure: expected path to be a file path without extension, got string ""',
    );
  });
});
