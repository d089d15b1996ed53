import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { History, historyChart, historySvg, plotHistory } from '../src';
import { niceTicks } from '../src/plot/ticks';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'axon-plot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sampleHistory(epochs = 12): History {
  const h = new History();
  for (let e = 0; e < epochs; e++) {
    h.onEpochEnd(e, {
      loss: 1.2 * Math.exp(-e / 4) + 0.05,
      accuracy: 0.55 + 0.4 * (1 - Math.exp(-e / 3)),
      val_loss: 1.25 * Math.exp(-e / 5) + 0.12 + (e > 8 ? 0.01 * (e - 8) : 0),
      val_accuracy: 0.5 + 0.38 * (1 - Math.exp(-e / 3)),
      lr: 0.1 * 0.9 ** e,
    });
  }
  return h;
}

/** PNG chunks, checking each CRC. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  const out: { type: string; data: Uint8Array }[] = [];
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  for (let at = 8; at < png.length; ) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    let c = 0xffffffff;
    for (const b of png.subarray(at + 4, at + 8 + len)) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    expect((c ^ 0xffffffff) >>> 0, `CRC of ${type}`).toBe(dv.getUint32(at + 8 + len));
    out.push({ type, data: png.subarray(at + 8, at + 8 + len) });
    at += 12 + len;
  }
  return out;
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
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(cs[0].data.buffer, cs[0].data.byteOffset, 13);
    expect([ihdr.getUint32(0), ihdr.getUint32(4)]).toEqual([960, 776]);
    expect([...cs[0].data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    const raw = inflateSync(cs[1].data);
    expect(raw.length).toBe((960 * 3 + 1) * 776);
    expect((await stat(files.png)).size).toBe(png.length);
  });

  it('draws only the keys asked for; lr gets its own panel; a single epoch works', async () => {
    const h = sampleHistory(1);
    const scene = historyChart(h, { keys: ['loss', 'lr'], width: 400, panelHeight: 200 });
    expect([scene.width, scene.height]).toEqual([400, 12 + 2 * 200]);
    const texts = scene.items.filter((p) => p.kind === 'text').map((p) => (p as { text: string }).text);
    expect(texts).toContain('learning rate');
    expect(texts).not.toContain('accuracy');
    const files = await plotHistory(h, { path: join(dir, 'one') });
    expect((await stat(files.png)).size).toBeGreaterThan(100);
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
