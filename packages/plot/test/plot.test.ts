/**
 * Training curves: the chart's layout as data, the SVG document, and the PNG rendered from it
 * (decoded back with fast-png to check its size and that lines and text were drawn).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HistoryLike, historyChart, historyPng, historySvg, niceTicks, plotHistory } from '../src';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'axon-plot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A History's data (as @axon/train's History holds it): 12 epochs of falling loss, rising accuracy. */
function sampleHistory(epochs = 12): HistoryLike {
  const history: Record<string, number[]> = {
    loss: [],
    accuracy: [],
    val_loss: [],
    val_accuracy: [],
    lr: [],
  };
  for (let e = 0; e < epochs; e++) {
    history.loss.push(1.2 * Math.exp(-e / 4) + 0.05);
    history.accuracy.push(0.55 + 0.4 * (1 - Math.exp(-e / 3)));
    history.val_loss.push(1.25 * Math.exp(-e / 5) + 0.12 + (e > 8 ? 0.01 * (e - 8) : 0));
    history.val_accuracy.push(0.5 + 0.38 * (1 - Math.exp(-e / 3)));
    history.lr.push(0.1 * 0.9 ** e);
  }
  return { epoch: Array.from({ length: epochs }, (_, e) => e), history };
}

/** Pixels of a decoded PNG in a box that are far from white (text, lines, ticks). */
function inked(png: Uint8Array, box: { x: number; y: number; w: number; h: number }): number {
  const img = decode(png);
  const ch = img.channels;
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++)
    for (let x = box.x; x < box.x + box.w; x++) {
      const i = (y * img.width + x) * ch;
      if (img.data[i] + img.data[i + 1] + img.data[i + 2] < 3 * 128) n++;
    }
  return n;
}

describe('plotHistory', () => {
  it('writes a valid SVG and PNG of loss/val_loss and metric panels', async () => {
    const path = join(dir, 'sub', 'curves');
    const files = await plotHistory(sampleHistory(), { path, title: 'MLP on blobs (seed 1)' });
    expect(files).toEqual({ svg: `${path}.svg`, png: `${path}.png` });

    const svg = await readFile(files.svg, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="960" height="776"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Every element is self-closed or closed (a well-formedness check without an XML parser).
    const opened = [...svg.matchAll(/<(\w+)[^>]*?(\/?)>/g)].filter((m) => m[2] !== '/').map((m) => m[1]);
    const closed = [...svg.matchAll(/<\/(\w+)>/g)].map((m) => m[1]);
    expect(opened.sort()).toEqual(closed.sort());
    for (const label of [
      '>loss<',
      '>val_loss<',
      '>accuracy<',
      '>val_accuracy<',
      '>epoch<',
      '>MLP on blobs (seed 1)<',
    ]) {
      expect(svg).toContain(label);
    }
    expect(svg).not.toContain('>lr<');
    expect((svg.match(/<polyline/g) ?? []).length).toBeGreaterThan(4);

    const png = new Uint8Array(await readFile(files.png));
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const img = decode(png);
    expect([img.width, img.height]).toEqual([960, 776]);
    // The title is drawn (text needs the bundled font: resvg drops text it has no font for).
    expect(inked(png, { x: 300, y: 14, w: 360, h: 28 })).toBeGreaterThan(200);
    // The y-axis tick labels of the loss panel (left of the plot area, which starts at x = 118).
    expect(inked(png, { x: 20, y: 60, w: 90, h: 280 })).toBeGreaterThan(200);
  });

  it('renders the same document as historyPng', async () => {
    const h = sampleHistory(3);
    const png = await historyPng(h, { width: 400, panelHeight: 200 });
    const img = decode(png);
    expect([img.width, img.height]).toEqual([400, 12 + 2 * 200]);
    expect(historySvg(h, { width: 400, panelHeight: 200 })).toContain('font-family="Roboto Mono');
  });

  it('draws only the keys asked for; lr gets its own panel; a single epoch works', async () => {
    const h = sampleHistory(1);
    const scene = historyChart(h, { keys: ['loss', 'lr'], width: 400, panelHeight: 200 });
    expect([scene.width, scene.height]).toEqual([400, 12 + 2 * 200]);
    const texts = scene.items.filter((p) => p.kind === 'text').map((p) => (p as { text: string }).text);
    expect(texts).toContain('learning rate');
    expect(texts).not.toContain('accuracy');
    const files = await plotHistory(h, { path: join(dir, 'one') });
    expect(decode(new Uint8Array(await readFile(files.png))).width).toBe(960);
    expect(historySvg({ history: { loss: [1, 0.5] } })).toContain('>loss<');
  });

  it('labels the axes as told (series that are not per epoch)', () => {
    const series = { history: { truth: [0, 1, 0], prediction: [0.1, 0.9, 0] } };
    const texts = (o: object) =>
      historyChart(series, o)
        .items.filter((p) => p.kind === 'text')
        .map((p) => (p as { text: string }).text);
    expect(texts({})).toEqual(expect.arrayContaining(['epoch', 'metric']));
    // One metric (with its val_ twin) names its panel.
    const oneMetric = historyChart({ history: { accuracy: [0.5, 0.9], val_accuracy: [0.4, 0.8] } });
    const accTexts = oneMetric.items
      .filter((p) => p.kind === 'text')
      .map((p) => (p as { text: string }).text);
    expect(accTexts.filter((t) => t === 'accuracy')).toHaveLength(2); // axis label and legend
    expect(accTexts).not.toContain('metric');
    const labelled = texts({ xLabel: 'time step', yLabel: 'sin(t)' });
    expect(labelled).toEqual(expect.arrayContaining(['time step', 'sin(t)']));
    expect(labelled).not.toContain('epoch');
    expect(labelled).not.toContain('metric');
  });

  it('throws clear errors', async () => {
    expect(() => historyChart(sampleHistory(), { keys: ['f1'] })).toThrow(
      "plotHistory: no key 'f1' in the history (it has: loss, accuracy, val_loss, val_accuracy, lr)",
    );
    await expect(plotHistory(sampleHistory(), {} as never)).rejects.toThrow(
      'plotHistory: options.path (the output path without extension) is required',
    );
    expect(() => historyChart(null as never)).toThrow('plotHistory: expected a History');
  });

  it('picks round ticks', () => {
    expect(niceTicks(0.03, 1.31, 5).ticks).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5]);
    expect(niceTicks(1, 12, 10, true).ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(niceTicks(1, 40, 10, true).ticks).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40]);
  });
});
